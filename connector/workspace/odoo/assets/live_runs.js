/** @odoo-module **/
// RCP → Runs follow by themselves (issue 29): while the Runs list or a run's form is on screen, the
// runs in progress (requested or running) are read every few seconds, and when one of them changed
// (progress, state, counts: its write_date), appeared or ended, the list reloads its records, or the
// form reloads its run when that run is the one that changed and it holds no unsaved edit. Every
// writer is followed alike (the worker, a schedule, the command line), with no change to any of them.
// Loaded by Odoo 17, 18 and 19 as part of the web client (`setup` makes it an attachment and an
// ir.asset of web.assets_backend; Odoo transpiles it as one of its own modules). It does nothing on
// any other model, and nothing it does may break the web client: every step is guarded.
import { onMounted, onWillUnmount } from '@odoo/owl';
import { useService } from '@web/core/utils/hooks';
import { patch } from '@web/core/utils/patch';
import { FormController } from '@web/views/form/form_controller';
import { ListController } from '@web/views/list/list_controller';

const MODEL = 'x_rcp_run';
const OPEN = ['requested', 'running'];
/** While a run is in progress: the worker writes its progress every 2 s at most. */
const OPEN_MS = 2000;
/** While none is: a run requested elsewhere or started by a schedule shows within this. */
const IDLE_MS = 10000;

/** Ids whose write_date differs between two readings, or that are in only one of them. */
function changedIds(before, now) {
  const out = [];
  for (const [id, stamp] of now) if (before.get(id) !== stamp) out.push(id);
  for (const id of before.keys()) if (!now.has(id)) out.push(id);
  return out;
}

/**
 * Follows the runs in progress for one controller while it is mounted. `refresh(changed)` brings the
 * view up to date and answers false when it could not (an unsaved edit): the change is then
 * offered again at the next reading.
 */
function followRuns(orm, refresh) {
  let alive = false;
  let timer = null;
  let seen = null;
  const tick = async () => {
    timer = null;
    let open = false;
    try {
      if (document.visibilityState !== 'hidden') {
        const rows = await orm.silent.searchRead(MODEL, [['x_state', 'in', OPEN]], ['write_date']);
        const now = new Map(rows.map((r) => [r.id, r.write_date]));
        open = now.size > 0;
        const changed = seen ? changedIds(seen, now) : [];
        if (!alive) return;
        if (changed.length === 0 || (await refresh(changed)) !== false) seen = now;
      }
    } catch (error) {
      // A lost connection or a refused read: the view stays as it is, the next reading tries again.
      console.debug('RCP runs: not refreshed', error);
    }
    if (alive) timer = setTimeout(tick, open ? OPEN_MS : IDLE_MS);
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

patch(ListController.prototype, {
  setup(...args) {
    super.setup(...args);
    try {
      if (this.props.resModel !== MODEL) return;
      followRuns(useService('orm'), async () => {
        const root = this.model.root;
        if (!root || root.editedRecord || root.selection?.length > 0) return false;
        await this.model.load();
        return true;
      });
    } catch (error) {
      console.debug('RCP runs: not followed', error);
    }
  },
});

patch(FormController.prototype, {
  setup(...args) {
    super.setup(...args);
    try {
      if (this.props.resModel !== MODEL) return;
      followRuns(useService('orm'), async (changed) => {
        const record = this.model.root;
        if (!record || record.isNew || !changed.includes(record.resId)) return true;
        if (editing(this) || record.dirty || (await record.isDirty())) return false;
        await record.load();
        return true;
      });
    } catch (error) {
      console.debug('RCP runs: not followed', error);
    }
  },
});
