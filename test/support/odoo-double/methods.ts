import { OdooFault, type OdooVersion, fault } from './faults.ts';
import { type Orm, type Row, applyX2m } from './orm.ts';
import { runServerAction } from './workspace.ts';

/**
 * The model methods the connector calls, over the double's ORM: the generic ones on every model,
 * external IDs, `load()`, chatter, and the accounting behaviour (invoice totals with Odoo's
 * roundings and default taxes, posting, the payment wizard).
 */
export interface Call {
  model: string;
  method: string;
  ids: number[] | undefined;
  /** Positional arguments after the ids (JSON-RPC) … */
  args: unknown[];
  /** … and named ones (JSON-RPC kwargs, or the JSON-2 body). */
  kwargs: Record<string, unknown>;
  context: Record<string, unknown>;
  json2: boolean;
  uid: number;
}

/** What the least-privilege integration user (not admin) may not touch, as real servers refused it. */
const ACCESS_RIGHTS_ONLY = new Set([
  'search_read',
  'search',
  'read',
  'search_count',
  'create',
  'write',
  'unlink',
]);

/** Positional parameter names of the methods, to read JSON-RPC and JSON-2 calls alike. */
const PARAMS: Record<string, string[]> = {
  create: ['vals_list'],
  write: ['vals'],
  read: ['fields'],
  search_read: ['domain', 'fields', 'offset', 'limit', 'order'],
  search: ['domain', 'offset', 'limit', 'order'],
  search_count: ['domain', 'limit'],
  read_group: ['domain', 'fields', 'groupby', 'offset', 'limit', 'orderby', 'lazy'],
  load: ['fields', 'data'],
  fields_get: ['allfields', 'attributes'],
  check_object_reference: ['module', 'xml_id'],
  name_search: ['name', 'domain', 'operator', 'limit'],
  has_access: ['operation'],
  check_access_rights: ['operation', 'raise_exception'],
  precision_get: ['application'],
};

export function argument(call: Call, name: string): unknown {
  if (name in call.kwargs) return call.kwargs[name];
  const index = (PARAMS[call.method] ?? []).indexOf(name);
  return index >= 0 ? call.args[index] : undefined;
}

export class Methods {
  /** Invoice numbers given, per year. */
  readonly #sequences = new Map<string, number>();
  constructor(
    readonly orm: Orm,
    readonly version: OdooVersion,
  ) {}

  execute(call: Call): unknown {
    const { orm } = this;
    if (call.method.startsWith('_')) throw fault.access(orm.words.privateMethod(call.model, call.method));
    if (!orm.hasModel(call.model)) throw fault.user(`Object ${call.model} doesn't exist`);
    if (call.uid !== 2 && call.model === 'ir.model.data' && ACCESS_RIGHTS_ONLY.has(call.method)) {
      throw fault.access(
        "You are not allowed to access 'Model Data' (ir.model.data) records.\n\nThis operation is allowed for the following groups:\n\t- Administration/Access Rights\n\nContact your administrator to request access if necessary.",
      );
    }
    const ids = call.ids ?? [];
    switch (call.method) {
      case 'create':
        return this.create(call);
      case 'write':
        for (const id of ids) this.write(call.model, id, argument(call, 'vals') as Record<string, unknown>);
        return true;
      case 'read': {
        const fields =
          (argument(call, 'fields') as string[] | undefined) ?? Object.keys(orm.fieldsOf(call.model));
        const known = orm.fieldsOf(call.model);
        const unknown = fields.find((f) => f !== 'id' && f !== 'display_name' && !(f in known));
        if (unknown) throw fault.value(orm.words.invalidReadField(unknown, call.model));
        return ids.flatMap((id) => {
          const row = orm.get(call.model, id);
          return row ? [orm.present(call.model, row, fields)] : [];
        });
      }
      case 'search_read': {
        const fields = (argument(call, 'fields') as string[] | undefined) ?? ['display_name'];
        return this.search(call).map((row) => orm.present(call.model, row, fields));
      }
      case 'search':
        return this.search(call).map((row) => row.id);
      case 'search_count':
        return orm.search(call.model, (argument(call, 'domain') as unknown[]) ?? []).length;
      case 'read_group':
        return this.readGroup(call);
      case 'unlink':
        for (const id of ids) this.unlink(call.model, id);
        return true;
      case 'fields_get':
        return orm.fieldsOf(call.model);
      case 'load':
        return this.load(
          call.model,
          argument(call, 'fields') as string[],
          argument(call, 'data') as unknown[][],
        );
      case 'check_object_reference':
        return this.checkObjectReference(String(argument(call, 'module')), String(argument(call, 'xml_id')));
      case 'name_search': {
        const name = String(argument(call, 'name') ?? '');
        return orm
          .search(call.model, name ? [['name', 'ilike', name]] : [], {
            limit: Number(argument(call, 'limit') ?? 100),
          })
          .map((row) => [row.id, orm.displayName(call.model, row.id)]);
      }
      case 'has_access':
      case 'check_access_rights':
        return true;
      case 'precision_get': {
        // As Odoo's: the digits of the named precision, 2 when there is none; any user may ask.
        if (call.model !== 'decimal.precision') break;
        const [row] = orm.search(
          'decimal.precision',
          [['name', '=', String(argument(call, 'application'))]],
          {
            limit: 1,
          },
        );
        return typeof row?.digits === 'number' ? row.digits : 2;
      }
      case 'context_get':
        return { lang: 'en_US', tz: 'Europe/Moscow', uid: call.uid };
      case 'message_post':
        return this.messagePost(call);
      case 'action_post':
        for (const id of ids) this.post(id);
        return false;
      case 'button_draft':
        for (const id of ids) orm.patch('account.move', id, { state: 'draft' });
        return false;
      case 'button_cancel':
        for (const id of ids) orm.patch('account.move', id, { state: 'cancel' });
        return false;
      case 'action_create_payments':
        return this.createPayments(ids[0] ?? 0);
      case 'run':
        if (call.model !== 'ir.actions.server') break;
        return runServerAction(this, ids[0] ?? 0, call.context);
    }
    throw call.json2
      ? new OdooFault(
          'werkzeug.exceptions.NotFound',
          `The method '${call.method}' does not exist on the model '${call.model}'`,
          404,
        )
      : new OdooFault(
          'builtins.AttributeError',
          `The method '${call.model}.${call.method}' does not exist`,
          500,
        );
  }

  /**
   * `read_group` with `lazy: false` over plain stored fields (many2one given as `[id, name]`, as
   * Odoo answers), `__count` per group; groups ordered by the grouped values (ids for many2one),
   * then `offset`/`limit` over the groups. Aggregates other than the count are not kept.
   */
  readGroup(call: Call): Row[] {
    const { orm } = this;
    const groupby = argument(call, 'groupby');
    const by = (typeof groupby === 'string' ? [groupby] : ((groupby as string[] | undefined) ?? [])).map(
      (g) => g.split(':')[0] as string,
    );
    if (argument(call, 'lazy') !== false && by.length > 1)
      throw fault.value('the double groups by several fields only with lazy=False');
    const fields = orm.fieldsOf(call.model);
    for (const name of by)
      if (!fields[name]) throw fault.value(`Invalid field ${JSON.stringify(name)} on model ${call.model}`);
    const groups = new Map<string, { key: unknown[]; count: number }>();
    for (const row of orm.search(call.model, (argument(call, 'domain') as unknown[]) ?? [])) {
      const key = by.map((name) => row[name] ?? false);
      const id = JSON.stringify(key);
      const group = groups.get(id) ?? { key, count: 0 };
      group.count++;
      groups.set(id, group);
    }
    const compare = (a: unknown, b: unknown) =>
      a === b
        ? 0
        : a === false
          ? 1
          : b === false
            ? -1
            : (a as number | string) < (b as number | string)
              ? -1
              : 1;
    const sorted = [...groups.values()].sort((a, b) => {
      for (let i = 0; i < by.length; i++) {
        const order = compare(a.key[i], b.key[i]);
        if (order !== 0) return order;
      }
      return 0;
    });
    const offset = Number(argument(call, 'offset') ?? 0);
    const limit = argument(call, 'limit');
    const page = typeof limit === 'number' ? sorted.slice(offset, offset + limit) : sorted.slice(offset);
    // As Odoo's (17, 18 and 19): each group carries its domain, the whole domain asked AND the group's values.
    const domain = (argument(call, 'domain') as unknown[]) ?? [];
    return page.map((group) => {
      const out: Row = { __count: group.count } as unknown as Row;
      by.forEach((name, i) => {
        const value = group.key[i];
        const relation = fields[name]?.type === 'many2one' ? fields[name]?.relation : undefined;
        out[name] = relation && typeof value === 'number' ? [value, orm.displayName(relation, value)] : value;
      });
      const terms = [...domain, ...by.map((name, i) => [name, '=', group.key[i]])];
      const ands = domain.every(Array.isArray) ? terms.length - 1 : by.length;
      out.__domain = [...Array<string>(Math.max(ands, 0)).fill('&'), ...terms];
      return out;
    });
  }

  search(call: Call): Row[] {
    const limit = argument(call, 'limit');
    return this.orm.search(call.model, (argument(call, 'domain') as unknown[]) ?? [], {
      order: (argument(call, 'order') as string | undefined) ?? 'id asc',
      offset: Number(argument(call, 'offset') ?? 0),
      limit: typeof limit === 'number' ? limit : false,
    });
  }

  create(call: Call): number | number[] {
    const raw = argument(call, 'vals_list');
    const list = (Array.isArray(raw) ? raw : [raw]) as Record<string, unknown>[];
    const ids = list.map((values) => this.createOne(call.model, values ?? {}, call.context));
    return Array.isArray(raw) || call.json2 ? ids : (ids[0] as number);
  }

  createOne(model: string, values: Record<string, unknown>, context: Record<string, unknown> = {}): number {
    const { orm } = this;
    if (model === 'account.payment.register') return this.registerWizard(values, context);
    if (model === 'account.move.line' && typeof values.move_id === 'number') {
      const move = orm.get('account.move', values.move_id);
      if (!move)
        throw fault.missing(
          `Record does not exist or has been deleted.\n(Record: account.move(${values.move_id},), User: 2)`,
        );
      if (move.state === 'posted') this.checkPostedWrite({ invoice_line_ids: [] });
      const { move_id: moveId, ...lineValues } = values;
      const id = this.createLine(moveId as number, lineValues);
      this.computeMove(moveId as number);
      return id;
    }
    const defaults = orm.defaults[model]?.(orm, values) ?? {};
    const lines = model === 'account.move' ? values.invoice_line_ids : undefined;
    const plain = { ...values };
    if (model === 'account.move') plain.invoice_line_ids = undefined;
    const checked = this.withPrecision(
      model,
      orm.checkValues(model, Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined))),
    );
    const row = { ...defaults, ...checked };
    if (model === 'res.partner' && !row.name) {
      throw fault.validation('The operation cannot be completed: Contacts require a name');
    }
    if (model === 'ir.model.data') this.checkUniqueXmlid(String(row.module), String(row.name));
    const missing = orm.missingRequired(model, row);
    if (missing) {
      const label = orm.fieldsOf(model)[missing]?.string ?? missing;
      throw fault.validation(
        `The operation cannot be completed: Missing required value for the field '${label}' (${missing})`,
      );
    }
    const id = orm.insert(model, row);
    if (model === 'product.product') this.linkTemplate(id);
    if (model === 'account.move') {
      if (lines !== undefined) this.applyLines(id, lines);
      this.computeMove(id);
      if (this.version !== '19' && (row.move_type === 'out_invoice' || row.move_type === 'out_refund'))
        this.nameMove(id);
    }
    return id;
  }

  write(model: string, id: number, values: Record<string, unknown>): void {
    const { orm } = this;
    const current = orm.get(model, id);
    if (!current)
      throw fault.missing(`Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: 2)`);
    if (model === 'account.move' && current.state === 'posted') this.checkPostedWrite(values);
    const lines = model === 'account.move' ? values.invoice_line_ids : undefined;
    const plain = { ...values };
    if (model === 'account.move') plain.invoice_line_ids = undefined;
    const checked = this.withPrecision(
      model,
      orm.checkValues(
        model,
        Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined)),
        current,
      ),
    );
    if (model === 'res.partner' && 'name' in checked && !checked.name) {
      throw fault.validation('The operation cannot be completed: Contacts require a name');
    }
    if (model === 'res.partner' && checked.parent_id === id)
      throw fault.validation('You cannot create recursive Partner hierarchies.');
    orm.patch(model, id, checked);
    if (model === 'account.move') {
      if (lines !== undefined) this.applyLines(id, lines);
      this.computeMove(id);
    }
  }

  unlink(model: string, id: number): void {
    const { orm } = this;
    const row = orm.get(model, id);
    if (!row)
      throw fault.missing(`Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: 2)`);
    if (model === 'account.move' && row.state === 'posted') {
      throw fault.user(
        "You can't delete a posted journal item. Don’t play games with your accounting records; reset the journal entry to draft before deleting it.",
      );
    }
    if (model === 'account.move')
      for (const line of this.linesOf(id)) orm.remove('account.move.line', line.id);
    orm.remove(model, id);
    // Odoo drops the external IDs of deleted records.
    for (const imd of orm.lookup('ir.model.data', 1, `${model}#${id}`)) orm.remove('ir.model.data', imd.id);
  }

  // --- external IDs and load() ---

  xmlidTarget(xmlid: string): Row | undefined {
    const [module, name] = xmlid.includes('.')
      ? (xmlid.split(/\.(.*)/s) as [string, string])
      : ['__import__', xmlid];
    return this.orm.lookup('ir.model.data', 0, `${module}.${name}`)[0];
  }

  checkUniqueXmlid(module: string, name: string): void {
    if (this.orm.lookup('ir.model.data', 0, `${module}.${name}`).length > 0) {
      throw fault.validation(
        `The operation cannot be completed: duplicate key value violates unique constraint "ir_model_data_module_name_uniq_index"\nDETAIL:  Key (module, name)=(${module}, ${name}) already exists.\n`,
      );
    }
  }

  checkObjectReference(module: string, name: string): [string, number] {
    const imd = this.xmlidTarget(`${module}.${name}`);
    if (!imd || !this.orm.get(String(imd.model), Number(imd.res_id))) {
      throw fault.value(`External ID not found in the system: ${module}.${name}`);
    }
    return [String(imd.model), Number(imd.res_id)];
  }

  /**
   * `model.load(fields, rows)`: creates or updates records by external ID, all rows or none. As in
   * Odoo's import, a column `o2m_field/sub` fills a one2many: a row whose other columns are all
   * empty adds one more line to the record above it.
   */
  load(
    model: string,
    columns: string[],
    rows: unknown[][],
  ): { ids: number[] | false; messages: unknown[]; nextrow: number } {
    const { orm } = this;
    const fields = orm.fieldsOf(model);
    const ids: number[] = [];
    let failedRow = -1;
    const isLine = (column: string) => fields[column.split('/')[0] ?? '']?.type === 'one2many';
    try {
      orm.transaction(() => {
        const records: Array<{ xmlid?: string; values: Record<string, unknown> }> = [];
        rows.forEach((row, index) => {
          failedRow = index;
          const cells = columns.map((_, c) => String(row[c] ?? ''));
          const own = columns.some((column, c) => !isLine(column) && cells[c] !== '');
          let record = records.at(-1);
          if (own || !record) {
            record = { values: {} };
            records.push(record);
            columns.forEach((column, c) => {
              const cell = cells[c] ?? '';
              if (column === 'id') {
                if (record && cell) record.xmlid = cell;
                return;
              }
              if (isLine(column)) return;
              const [name = '', sub] = column.split('/');
              const field = fields[name];
              if (!field) throw fault.value(orm.words.invalidField(name, model));
              if (record)
                record.values[name] = this.convertCell(field.type, cell, sub, field.selection || undefined);
            });
          }
          // A line is there when any of its cells is filled; its empty cells then count (an empty
          // many2many is "none", as Odoo's import makes it).
          const filled = new Set(
            columns
              .filter((column, c) => isLine(column) && cells[c] !== '')
              .map((column) => column.split('/')[0]),
          );
          const lines = new Map<string, Record<string, unknown>>();
          columns.forEach((column, c) => {
            if (!isLine(column) || !filled.has(column.split('/')[0])) return;
            const [name = '', subName = '', sub] = column.split('/');
            const relation = String(fields[name]?.relation ?? '');
            const subField = orm.fieldsOf(relation)[subName];
            if (!subField) throw fault.value(orm.words.invalidField(subName, relation));
            const line = lines.get(name) ?? {};
            line[subName] = this.convertCell(
              subField.type,
              cells[c] ?? '',
              sub,
              subField.selection || undefined,
            );
            lines.set(name, line);
          });
          for (const [name, line] of lines) {
            const commands = (record.values[name] as unknown[] | undefined) ?? [];
            record.values[name] = [...commands, [0, 0, line]];
          }
        });
        for (const { xmlid, values } of records) {
          const imd = xmlid ? this.xmlidTarget(xmlid) : undefined;
          const existing =
            imd && imd.model === model && orm.get(model, Number(imd.res_id)) ? Number(imd.res_id) : undefined;
          if (existing !== undefined) {
            this.write(model, existing, values);
            ids.push(existing);
          } else {
            const id = this.createOne(model, values);
            if (xmlid) {
              if (imd) orm.remove('ir.model.data', imd.id);
              const [module, name] = xmlid.includes('.')
                ? (xmlid.split(/\.(.*)/s) as [string, string])
                : ['__import__', xmlid];
              this.createOne('ir.model.data', { module, name, model, res_id: id });
            }
            ids.push(id);
          }
        }
      });
    } catch (error) {
      if (!(error instanceof OdooFault)) throw error;
      const message = error.exception.endsWith('ValidationError')
        ? `'${error.message.replace('The operation cannot be completed: ', '')}'`
        : error.message;
      return {
        ids: false,
        messages: [{ rows: { from: failedRow, to: failedRow }, record: failedRow, type: 'error', message }],
        nextrow: 0,
      };
    }
    return { ids, messages: [], nextrow: 0 };
  }

  convertCell(
    type: string,
    cell: string,
    sub: string | undefined,
    selection?: Array<[string, string]>,
  ): unknown {
    if (sub === '.id') {
      if (type === 'many2many') return cell ? [[6, 0, cell.split(',').map(Number)]] : [[6, 0, []]];
      return cell ? Number(cell) : false;
    }
    if (sub === 'id') {
      const ids = cell
        .split(',')
        .filter(Boolean)
        .map((x) => {
          const imd = this.xmlidTarget(x);
          if (!imd) throw fault.value(`No matching record found for external id '${x}'`);
          return Number(imd.res_id);
        });
      return type === 'many2many' ? [[6, 0, ids]] : (ids[0] ?? false);
    }
    switch (type) {
      case 'boolean':
        return ['1', 'true', 'yes'].includes(cell.toLowerCase());
      case 'integer':
      case 'float':
      case 'monetary':
      case 'many2one_reference':
        return cell === '' ? 0 : Number(cell);
      case 'selection':
        return selection?.find(([key, label]) => key === cell || label === cell)?.[0] ?? (cell || false);
      default:
        return cell === '' ? false : cell;
    }
  }

  // --- chatter ---

  messagePost(call: Call): number | number[] {
    const id = (call.ids ?? [])[0] ?? 0;
    if (!this.orm.get(call.model, id))
      throw fault.missing(
        `Record does not exist or has been deleted.\n(Record: ${call.model}(${id},), User: 2)`,
      );
    const messageId = this.orm.insert('mail.message', {
      model: call.model,
      res_id: id,
      body: argument(call, 'body') ?? call.kwargs.body ?? '',
      message_type: call.kwargs.message_type ?? 'comment',
    });
    return this.version === '19' ? [messageId] : messageId;
  }

  // --- accounting ---

  linesOf(moveId: number): Row[] {
    return this.orm.lookup('account.move.line', 0, String(moveId));
  }

  applyLines(moveId: number, commands: unknown): void {
    if (!Array.isArray(commands)) return;
    for (const command of commands as unknown[][]) {
      const [op, id, values] = command as [number, number, Record<string, unknown>];
      if (op === 0) this.createLine(moveId, values);
      else if (op === 1)
        this.orm.patch('account.move.line', id, this.orm.checkValues('account.move.line', values));
      else if (op === 2 || op === 3) this.orm.remove('account.move.line', id);
      else if (op === 5)
        for (const line of this.linesOf(moveId)) this.orm.remove('account.move.line', line.id);
    }
  }

  createLine(moveId: number, values: Record<string, unknown>): number {
    const { orm } = this;
    const checked = orm.checkValues('account.move.line', values);
    const product =
      typeof checked.product_id === 'number' ? orm.get('product.product', checked.product_id) : undefined;
    // The trap: a line without explicit taxes takes its product's (the company's default sale tax).
    const taxes = 'tax_ids' in values ? checked.tax_ids : ((product?.taxes_id as number[] | undefined) ?? []);
    return orm.insert('account.move.line', {
      display_type: 'product',
      currency_id: 1,
      name: product?.name ?? false,
      quantity: 1,
      price_unit: 0,
      ...checked,
      tax_ids: taxes,
      move_id: moveId,
    });
  }

  /**
   * Totals as Odoo 17/18 compute them with `round_per_line`: quantity and price rounded to their
   * precisions, subtotals to kopecks, summed. NOT backed for everything: 19 stores unit prices
   * unrounded and, with `round_globally` (its default), rounds the sum of UNROUNDED quantity × price;
   * taxes here are the connector's own guess. What Odoo really does is proven on real servers
   * (test/odoo-real/invoice-rounding.test.ts, prices.test.ts); this stays for fast contract tests.
   */
  computeMove(moveId: number): void {
    const { orm } = this;
    const qtyDigits = this.digits(this.version === '19' ? 'Product Unit' : 'Product Unit of Measure');
    const priceDigits = this.digits('Product Price');
    let untaxed = 0;
    let tax = 0;
    const productLines: number[] = [];
    for (const line of this.linesOf(moveId)) {
      if (line.display_type !== 'product') continue;
      const quantity = round(Number(line.quantity ?? 0), qtyDigits);
      const price = round(Number(line.price_unit ?? 0), priceDigits);
      let subtotal = round(quantity * price, 2);
      let lineTax = 0;
      for (const taxId of (line.tax_ids as number[] | undefined) ?? []) {
        const t = orm.get('account.tax', taxId);
        const rate = Number(t?.amount ?? 0) / 100;
        if (t?.price_include) {
          const base = round(subtotal / (1 + rate), 2);
          lineTax += subtotal - base;
          subtotal = base;
        } else lineTax += round(subtotal * rate, 2);
      }
      orm.patch('account.move.line', line.id, {
        quantity,
        price_unit: price,
        price_subtotal: subtotal,
        price_total: round(subtotal + lineTax, 2),
      });
      untaxed += subtotal;
      tax += lineTax;
      productLines.push(line.id);
    }
    const move = orm.get('account.move', moveId);
    const total = round(untaxed + tax, 2);
    const paid = Number(move?.rcp_paid ?? 0);
    orm.patch('account.move', moveId, {
      invoice_line_ids: productLines,
      amount_untaxed: round(untaxed, 2),
      amount_tax: round(tax, 2),
      amount_total: total,
      amount_residual: move?.state === 'posted' ? round(total - paid, 2) : total,
    });
  }

  nameMove(moveId: number): void {
    const move = this.orm.get('account.move', moveId);
    if (!move || move.name) return;
    const year = String(move.invoice_date || move.date || '2026').slice(0, 4);
    const count = (this.#sequences.get(year) ?? 0) + 1;
    this.#sequences.set(year, count);
    this.orm.patch('account.move', moveId, { name: `INV/${year}/${String(count).padStart(5, '0')}` });
  }

  checkPostedWrite(values: Record<string, unknown>): void {
    const locked = [
      'partner_id',
      'invoice_line_ids',
      'line_ids',
      'invoice_date',
      'date',
      'journal_id',
      'currency_id',
      'move_type',
    ];
    const touched = Object.keys(values).filter((f) => locked.includes(f));
    if (touched.length === 0) return;
    if (this.version === '17') {
      if (touched.includes('invoice_line_ids') || touched.includes('line_ids')) {
        throw fault.user(
          "You can't delete a posted journal item. Don’t play games with your accounting records; reset the journal entry to draft before deleting it.",
        );
      }
      return;
    }
    throw fault.user(
      `You cannot modify the following readonly fields on a posted move: ${touched.join(', ')}`,
    );
  }

  post(moveId: number): void {
    const move = this.orm.get('account.move', moveId);
    if (!move)
      throw fault.missing(
        `Record does not exist or has been deleted.\n(Record: account.move(${moveId},), User: 2)`,
      );
    if (this.linesOf(moveId).filter((l) => l.display_type === 'product').length === 0)
      throw fault.user(this.orm.words.postEmpty);
    this.orm.patch('account.move', moveId, { state: 'posted', payment_state: 'not_paid' });
    this.nameMove(moveId);
    this.computeMove(moveId);
  }

  registerWizard(values: Record<string, unknown>, context: Record<string, unknown>): number {
    const invoices = (context.active_ids as number[] | undefined) ?? [];
    if (context.active_model !== 'account.move' || invoices.length === 0) {
      throw fault.user(
        'The register payment wizard should only be called on account.move or account.move.line records.',
      );
    }
    const residual = invoices.reduce(
      (sum, id) => sum + Number(this.orm.get('account.move', id)?.amount_residual ?? 0),
      0,
    );
    const checked = this.orm.checkValues('account.payment.register', values);
    return this.orm.insert('account.payment.register', {
      amount: round(residual, 2),
      payment_date: new Date().toISOString().slice(0, 10),
      journal_id: 2,
      ...checked,
      rcp_invoice_ids: invoices,
    });
  }

  createPayments(wizardId: number): unknown {
    const { orm } = this;
    const wizard = orm.get('account.payment.register', wizardId);
    if (!wizard)
      throw fault.missing(
        `Record does not exist or has been deleted.\n(Record: account.payment.register(${wizardId},), User: 2)`,
      );
    const invoices = (wizard.rcp_invoice_ids as number[])
      .map((id) => orm.get('account.move', id))
      .filter((m): m is Row => !!m);
    const invoice = invoices[0];
    const amount = Number(wizard.amount);
    const residual = Number(invoice?.amount_residual ?? 0);
    const full = amount >= residual - 0.005;
    const memo = (wizard.communication as string | false | undefined) || invoice?.name || false;
    const v17 = this.version === '17';
    const year = String(wizard.payment_date).slice(0, 4);
    const count = orm.table('account.payment').size + 1;
    const paymentId = orm.insert('account.payment', {
      name: `PBNK1/${year}/${String(count).padStart(5, '0')}`,
      amount,
      partner_id: invoice?.partner_id ?? false,
      company_id: 1,
      payment_type: 'inbound',
      partner_type: 'customer',
      date: wizard.payment_date,
      [v17 ? 'ref' : 'memo']: memo,
      payment_reference: false,
      state: v17 ? 'posted' : full ? 'paid' : 'in_process',
      is_reconciled: true,
      is_matched: false,
      journal_id: wizard.journal_id,
      currency_id: 1,
      reconciled_invoice_ids: invoices.map((m) => m.id),
      ...(v17 ? {} : { invoice_ids: invoices.map((m) => m.id) }),
    });
    for (const move of invoices) {
      const paid = Number(move.rcp_paid ?? 0) + amount;
      const left = round(Number(move.amount_total) - paid, 2);
      orm.patch('account.move', move.id, {
        rcp_paid: paid,
        amount_residual: Math.max(0, left),
        payment_state: left <= 0.005 ? 'paid' : 'partial',
        ...(v17
          ? {}
          : {
              matched_payment_ids: applyX2m((move.matched_payment_ids as number[]) ?? [], [[4, paymentId]]),
            }),
      });
    }
    return {
      name: 'Payments',
      type: 'ir.actions.act_window',
      res_model: 'account.payment',
      context: { create: false },
      view_mode: 'form',
      res_id: paymentId,
    };
  }

  linkTemplate(productId: number): void {
    const product = this.orm.get('product.product', productId);
    if (!product || product.product_tmpl_id) return;
    const { id: _id, product_tmpl_id: _t, product_variant_ids: _v, ...values } = product;
    const templateFields = this.orm.fieldsOf('product.template');
    const templateValues = Object.fromEntries(Object.entries(values).filter(([k]) => k in templateFields));
    const templateId = this.orm.insert('product.template', {
      ...templateValues,
      product_variant_ids: [productId],
    });
    this.orm.patch('product.product', productId, {
      product_tmpl_id: templateId,
      product_variant_ids: [productId],
    });
  }

  /** Prices are stored at the 'Product Price' precision (0.0107 becomes 0.01 at 2 digits). */
  withPrecision(model: string, values: Record<string, unknown>): Record<string, unknown> {
    if (model === 'product.pricelist.item' && typeof values.fixed_price === 'number') {
      return { ...values, fixed_price: round(values.fixed_price, this.digits('Product Price')) };
    }
    return values;
  }

  digits(name: string): number {
    return Number(this.orm.search('decimal.precision', [['name', '=', name]])[0]?.digits ?? 2);
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return (Math.sign(value) * Math.round(Number((Math.abs(value) * factor).toPrecision(15)))) / factor;
}
