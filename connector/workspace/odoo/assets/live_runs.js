/** @odoo-module **/
// RCP → Runs follow by themselves (issue 29): while the Runs list or a run's form is on screen, the
// runs it shows and the runs in progress (requested or running) are read every few seconds. When a
// shown run differs from what the view shows (state, progress, or any write since the last reading),
// or a run in progress appears or ends, the list reloads its records, or the form reloads its run
// unless it holds an unsaved edit. Every writer is followed alike (the worker, a schedule, the
// command line), with no change to any of them.
// Loaded by Odoo 17, 18 and 19 as part of the web client (`setup` makes it an attachment and an
// ir.asset of web.assets_backend; Odoo transpiles it as one of its own modules). It does nothing on
// any other model, and nothing it does may break the web client: every step is guarded, and it
// imports only Odoo's core modules. The list and form controllers are looked up when the web client
// starts (a service), not imported: a version without them at those paths loses this feature only,
// where a missing import would stop the web client with Odoo's module error.
import { onMounted, onWillUnmount } from '@odoo/owl';
import { registry } from '@web/core/registry';
import { useService } from '@web/core/utils/hooks';
import { patch } from '@web/core/utils/patch';

const MODEL = 'x_rcp_run';
const OPEN = ['requested', 'running'];
/** What a view shows of a run and compares with Odoo's, when the view has it. */
const SHOWN = ['x_state', 'x_progress'];
/** While a run is in progress: the worker writes its progress every 2 s at most. */
const OPEN_MS = 2000;
/** While none is: a run requested elsewhere or started by a schedule shows within this. */
const IDLE_MS = 10000;

/**
 * Whether the view is behind Odoo. `shown`: the runs the view shows ({id, data}); `rows`: Odoo's
 * reading of those and of the runs in progress; `before`: the previous reading (id → row), if any;
 * `others`: whether runs in progress that the view does not show count (a list: one may now show).
 */
function behind(shown, rows, before, others) {
  const now = new Map(rows.map((r) => [r.id, r]));
  for (const { id, data } of shown) {
    const row = now.get(id);
    if (!row) return true;
    if (SHOWN.some((f) => f in data && data[f] !== row[f])) return true;
    const last = before?.get(id);
    if (last && last.write_date !== row.write_date) return true;
  }
  if (!others || !before) return false;
  const ids = new Set(shown.map((r) => r.id));
  const openOf = (map) =>
    [...map.values()]
      .filter((r) => OPEN.includes(r.x_state) && !ids.has(r.id))
      .map((r) => r.id)
      .sort()
      .join();
  return openOf(before) !== openOf(now);
}

/**
 * Follows the runs for one controller while it is mounted. `shown()` answers the runs the view shows;
 * `refresh()` reloads the view and answers false when it could not (an unsaved edit): the view is
 * then still behind at the next reading, which comes soon. Odoo is read every OPEN_MS while a run is
 * in progress (in Odoo's last answer or in the view), a refresh waits, or the view shows other runs
 * than at the last reading (a run just saved, the next page); else every IDLE_MS.
 */
function followRuns(orm, { shown, others, refresh }) {
  let alive = false;
  let timer = null;
  let before = null;
  let readAt = 0;
  let soon = true;
  let shownAt = '';
  const tick = async () => {
    timer = null;
    try {
      const runs = shown();
      const key = runs.map((r) => r.id).join();
      const open = runs.some((r) => OPEN.includes(r.data.x_state));
      const due = soon || open || key !== shownAt || Date.now() - readAt >= IDLE_MS;
      if (due && document.visibilityState !== 'hidden') {
        readAt = Date.now();
        shownAt = key;
        const domain = ['|', ['x_state', 'in', OPEN], ['id', 'in', runs.map((r) => r.id)]];
        const rows = await orm.silent.searchRead(MODEL, domain, ['write_date', ...SHOWN]);
        if (!alive) return;
        const late = behind(runs, rows, before, others);
        const done = !late || (await refresh()) !== false;
        if (done) before = new Map(rows.map((r) => [r.id, r]));
        soon = !done || rows.some((r) => OPEN.includes(r.x_state));
      }
    } catch (error) {
      // A lost connection or a refused read: the view stays as it is, the next reading tries again.
      console.debug('RCP runs: not refreshed', error);
    }
    if (alive) timer = setTimeout(tick, OPEN_MS);
  };
  onMounted(() => {
    alive = true;
    tick();
  });
  onWillUnmount(() => {
    alive = false;
    if (timer) clearTimeout(timer);
  });
}

/** The user is typing in, or choosing a value of, a field of this view. */
function editing(controller) {
  const el = controller.rootRef?.el;
  const active = document.activeElement;
  return Boolean(
    el && active && el.contains(active) && active.matches('input, textarea, select, [contenteditable]'),
  );
}

/**
 * A patch of a view controller that follows the runs while a view of x_rcp_run is mounted;
 * `follow(controller)` answers what followRuns needs of that view (shown, others, refresh).
 */
function follows(follow) {
  return {
    setup(...args) {
      super.setup(...args);
      try {
        if (this.props.resModel !== MODEL) return;
        followRuns(useService('orm'), follow(this));
      } catch (error) {
        console.debug('RCP runs: not followed', error);
      }
    },
  };
}

const listFollows = follows((list) => ({
  // A grouped list shows its runs in groups: there only runs in progress coming and going count.
  shown: () => (list.model.root?.records ?? []).map((r) => ({ id: r.resId, data: r.data })),
  others: true,
  refresh: async () => {
    const root = list.model.root;
    if (!root || root.editedRecord || root.selection?.length > 0) return false;
    await list.model.load();
    return true;
  },
}));

const formFollows = follows((form) => ({
  shown: () => {
    const record = form.model.root;
    return record?.resId ? [{ id: record.resId, data: record.data }] : [];
  },
  others: false,
  refresh: async () => {
    const record = form.model.root;
    if (!record?.resId) return true;
    if (editing(form) || record.dirty || (await record.isDirty())) return false;
    await record.load();
    return true;
  },
}));

/** Odoo's class `name` of module `path`, once every module is loaded; undefined when there is none. */
function classOf(path, name) {
  const module = globalThis.odoo?.loader?.modules?.get(path);
  const found = module?.[name];
  return typeof found === 'function' ? found : undefined;
}

registry.category('services').add('rcp_live_runs', {
  start() {
    try {
      const List = classOf('@web/views/list/list_controller', 'ListController');
      const Form = classOf('@web/views/form/form_controller', 'FormController');
      if (List) patch(List.prototype, listFollows);
      if (Form) patch(Form.prototype, formFollows);
    } catch (error) {
      console.debug('RCP runs: not followed', error);
    }
  },
});
