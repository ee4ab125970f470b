"""
The Odoo double's `env` for a workspace server action: the action's own Python file, run as Odoo
runs a server action (globals env, datetime, b64encode, UserError; the answer in `action`), over the
rows the double sends on stdin. What it creates and writes goes back on stdout, in order, for the
double to apply with its own checks. Only what the workspace's actions use is here: search with
`=` and `in`, browse, exists, create, write, mapped, sudo, many2one fields as records, datetimes.
"""
import base64
import datetime as _datetime
import json
import sys
import types


class UserError(Exception):
    pass


class _Datetime(_datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        # Odoo's server runs in UTC; its datetimes are naive UTC.
        return _datetime.datetime.now(_datetime.timezone.utc).replace(tzinfo=None)


datetime_module = types.SimpleNamespace(datetime=_Datetime, timedelta=_datetime.timedelta, date=_datetime.date)
DATETIME_FORMAT = '%Y-%m-%d %H:%M:%S'


class Env:
    def __init__(self, given):
        self.context = given.get('context') or {}
        self.models = given['models']
        self.user = Recordset(self, 'res.users', [given.get('uid') or 2])
        self.changes = []
        self.next_new = -1

    def __getitem__(self, model):
        self.models.setdefault(model, {'fields': {}, 'rows': []})
        return Recordset(self, model, [])

    def rows(self, model):
        return self.models[model]['rows']

    def row(self, model, rid):
        for row in self.rows(model):
            if row['id'] == rid:
                return row
        return None


def _stored(value):
    if isinstance(value, _datetime.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, Recordset):
        return value.id
    return value


def _matches(row, term):
    field, operator, value = term
    current = row.get(field, False)
    if isinstance(current, list):
        current = current[0] if current else False
    if operator == '=':
        return current == value
    if operator == 'in':
        return current in value
    raise NotImplementedError('the double runs domains with = and in, not %s' % operator)


class Recordset:
    def __init__(self, env, model, ids):
        self.env = env
        self._model = model
        self.ids = list(ids)

    def __iter__(self):
        return (Recordset(self.env, self._model, [rid]) for rid in self.ids)

    def __bool__(self):
        return bool(self.ids)

    def __len__(self):
        return len(self.ids)

    @property
    def id(self):
        return self.ids[0] if self.ids else False

    def sudo(self):
        return self

    def with_context(self, *args, **kwargs):
        # Context keys the actions pass (mail_create_nolog…) steer Odoo's chatter, which the double has not.
        return self

    def search(self, domain, limit=None):
        found = [row['id'] for row in self.env.rows(self._model) if all(_matches(row, t) for t in domain)]
        return Recordset(self.env, self._model, found[:limit] if limit else found)

    def browse(self, ids):
        return Recordset(self.env, self._model, ids if isinstance(ids, list) else [ids])

    def exists(self):
        return Recordset(self.env, self._model, [i for i in self.ids if self.env.row(self._model, i)])

    def create(self, vals):
        rid = self.env.next_new
        self.env.next_new -= 1
        stored = {k: _stored(v) for k, v in vals.items()}
        self.env.rows(self._model).append(dict(stored, id=rid, write_date=_Datetime.now().strftime(DATETIME_FORMAT)))
        self.env.changes.append({'op': 'create', 'model': self._model, 'id': rid, 'vals': stored})
        return Recordset(self.env, self._model, [rid])

    def write(self, vals):
        stored = {k: _stored(v) for k, v in vals.items()}
        for rid in self.ids:
            self.env.row(self._model, rid).update(stored, write_date=_Datetime.now().strftime(DATETIME_FORMAT))
            self.env.changes.append({'op': 'write', 'model': self._model, 'id': rid, 'vals': stored})
        return True

    def mapped(self, name):
        field = self.env.models[self._model]['fields'].get(name, {})
        values = [getattr(rec, name) for rec in self]
        if field.get('type') == 'many2one':
            return Recordset(self.env, field['relation'], [v.id for v in values if v])
        return values

    def __getitem__(self, name):
        return getattr(self, name)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        row = self.env.row(self._model, self.id) if self.ids else None
        value = row.get(name, False) if row else False
        field = self.env.models[self._model]['fields'].get(name, {})
        if field.get('type') == 'many2one':
            rid = value[0] if isinstance(value, list) else value
            return Recordset(self.env, field['relation'], [rid] if rid else [])
        if field.get('type') == 'datetime' and value:
            return _Datetime.strptime(value, DATETIME_FORMAT)
        return value if value is not None else False


def main():
    given = json.load(sys.stdin)
    env = Env(given)
    scope = {
        'env': env,
        'datetime': datetime_module,
        'b64encode': base64.b64encode,
        'UserError': UserError,
    }
    try:
        exec(compile(given['code'], given.get('name') or 'action', 'exec'), scope)
    except UserError as error:
        json.dump({'user_error': str(error)}, sys.stdout)
        return
    json.dump({'action': scope.get('action', False), 'changes': env.changes}, sys.stdout)


main()
