import { describe, expect, it } from 'vitest';
import { capabilitiesFor } from '../../connector/odoo/capabilities.ts';
import { workspaceDefinition } from '../../connector/workspace/definition.ts';
import { fullXmlid, pythonSelection, ref, referencesOf, refs } from '../../connector/workspace/items.ts';
import { MODELS } from '../../connector/workspace/models.ts';
import { normalizeArch, planItem, resolveValues } from '../../connector/workspace/plan.ts';
import { type SettingsState, checkCurrency, planSettings } from '../../connector/workspace/settings.ts';
import { definitionVersion } from '../../connector/workspace/setup.ts';

const ids = new Map([
  ['rcp_connector.group_user', 11],
  ['rcp_connector.model_x_rcp_run', 21],
  ['base.group_user', 1],
]);
const idOf = (x: string) => ids.get(x);

describe('workspace definition', () => {
  it.each([17, 18, 19])(
    'on %i every item refers only to items before it or to Odoo’s own records',
    (major) => {
      const items = workspaceDefinition(capabilitiesFor(major));
      const seen = new Set<string>();
      for (const item of items) {
        for (const r of referencesOf(item)) {
          if (r.startsWith('rcp_connector.')) expect(seen, `${item.name} → ${r}`).toContain(r);
        }
        expect(seen.has(fullXmlid(item.name)), `${item.name} twice`).toBe(false);
        seen.add(fullXmlid(item.name));
      }
    },
  );

  it('keeps the fixed names and values of product.md', () => {
    const items = workspaceDefinition(capabilitiesFor(18));
    const field = (model: string, name: string) =>
      items.find((i) => i.name === `field_${model}__${name}`)?.values;
    expect(MODELS.map((m) => m.model)).toEqual(
      expect.arrayContaining(['x_rcp_run', 'x_rcp_counterparty', 'x_rcp_usage', 'x_rcp_payment']),
    );
    expect(field('x_rcp_run', 'x_kind')?.selection).toMatch(
      /^\[\('sync', .*\('invoice', .*\('payments', .*\('reconcile', /,
    );
    expect(field('x_rcp_run', 'x_state')?.selection).toMatch(/'requested'.*'running'.*'done'.*'failed'/);
    expect(field('x_rcp_payment', 'x_state')?.selection).toMatch(
      /'intent'.*'pushed'.*'review'.*'not_pushed'/,
    );
    expect(field('x_rcp_payment', 'x_resolution')?.selection).toMatch(/^\[\('pushed', .*\('not_pushed', /);
    expect(field('x_rcp_counterparty', 'x_state')?.selection).toMatch(/'linked'.*'to_match'/);
    expect(field('x_rcp_usage', 'x_move_id')).toMatchObject({ ttype: 'many2one', relation: 'account.move' });
  });

  it('speaks each version’s dialect: tree/list, groups fields, group headings', () => {
    const on = (major: number) => workspaceDefinition(capabilitiesFor(major));
    const runsList = (major: number) => on(major).find((i) => i.name === 'view_x_rcp_run_list')?.values;
    expect(runsList(17)).toMatchObject({ type: 'tree', arch: expect.stringMatching(/^<tree .*<\/tree>$/) });
    expect(runsList(18)).toMatchObject({ type: 'list', arch: expect.stringMatching(/^<list .*<\/list>$/) });
    expect(on(17).find((i) => i.name === 'action_runs')?.values.view_mode).toBe('tree,form');
    expect(on(19).find((i) => i.name === 'action_runs')?.values.view_mode).toBe('list,form');
    expect(on(18).find((i) => i.name === 'menu_rcp')?.values).toHaveProperty('groups_id');
    expect(on(19).find((i) => i.name === 'menu_rcp')?.values).toHaveProperty('group_ids');
    expect(on(17).find((i) => i.name === 'group_user')?.values.name).toBe('RCP / User');
    expect(on(19).find((i) => i.name === 'group_user')?.values).toMatchObject({
      name: 'User',
      privilege_id: ref('privilege_rcp'),
    });
  });

  it('stamps a version that changes with the definition', () => {
    const items = workspaceDefinition(capabilitiesFor(18));
    expect(definitionVersion(items)).toBe(definitionVersion(workspaceDefinition(capabilitiesFor(18))));
    expect(definitionVersion(items.slice(1))).not.toBe(definitionVersion(items));
  });
});

describe('planning an item against what Odoo holds', () => {
  const group = {
    name: 'group_manager',
    model: 'res.groups',
    values: { name: 'RCP / Manager', implied_ids: refs('group_user', 'base.group_user') },
  };
  const field = {
    name: 'field_x_rcp_run__x_state',
    model: 'ir.model.fields',
    values: { model_id: ref('model_x_rcp_run'), name: 'x_state', ttype: 'selection', help: false },
    createOnly: ['model_id', 'name', 'ttype'],
  };

  it('resolves references to ids', () => {
    expect(resolveValues(group, idOf)).toEqual({ name: 'RCP / Manager', implied_ids: [[6, 0, [11, 1]]] });
    expect(resolveValues(field, idOf)).toMatchObject({ model_id: 21 });
  });

  it.each([
    ['no record: create', undefined, 'create', []],
    [
      'same values in Odoo’s shapes: unchanged',
      { id: 5, name: 'RCP / Manager', implied_ids: [1, 11] },
      'unchanged',
      [],
    ],
    [
      'a group missing: update that field only',
      { id: 5, name: 'RCP / Manager', implied_ids: [11] },
      'update',
      ['implied_ids'],
    ],
    ['renamed by hand: update', { id: 5, name: 'Managers', implied_ids: [1, 11] }, 'update', ['name']],
  ] as const)('%s', (_title, current, action, fields) => {
    const plan = planItem(group, resolveValues(group, idOf), current);
    expect(plan.action).toBe(action);
    if (plan.action === 'update') expect(plan.fields).toEqual(fields);
  });

  it('reads a many2one [id, name] and an empty text as equal to what was sent; ignores create-only values', () => {
    const current = { id: 9, model_id: [21, 'RCP run'], name: 'x_state', ttype: 'char', help: '' };
    expect(planItem(field, resolveValues(field, idOf), current).action).toBe('unchanged');
  });

  it('compares a view’s arch as Odoo stores it', () => {
    expect(normalizeArch('<form>\n  <field name="a"/>\n</form>')).toBe(
      normalizeArch('<form><field name="a"></field></form>'),
    );
    expect(normalizeArch('<form><field name="a"/></form>')).not.toBe(
      normalizeArch('<form><field name="b"/></form>'),
    );
  });

  it('writes selections as Odoo reads them back', () => {
    expect(
      pythonSelection([
        ['pushed', 'RCP has it'],
        ['not_pushed', 'RCP does not have it'],
      ]),
    ).toBe("[('pushed', 'RCP has it'), ('not_pushed', 'RCP does not have it')]");
    expect(() => pythonSelection([['a', "it's"]])).toThrow(/quotes/);
  });
});

describe('settings money needs', () => {
  const state: SettingsState = {
    priceDigits: 2,
    quantityDigits: 8,
    pricelists: false,
    company: { id: 1, name: 'My Company' },
    currency: 'RUB',
  };

  it('raises precisions that are too low, never lowers one, and turns Pricelists on', () => {
    expect(planSettings(state, 'Product Unit')).toEqual([
      { what: "decimal precision 'Product Price'", from: '2', to: '4', action: 'change' },
      { what: "decimal precision 'Product Unit'", from: '8', to: '8', action: 'unchanged' },
      { what: 'Pricelists feature', from: 'off', to: 'on', action: 'change' },
    ]);
  });

  it('refuses a company in another currency, naming the fix', () => {
    expect(() => checkCurrency(state, 'RUB')).not.toThrow();
    expect(() => checkCurrency({ ...state, currency: 'EUR' }, 'RUB')).toThrow(
      /keeps its books in EUR.*set the company currency to RUB.*COMPANY_CURRENCY=EUR/,
    );
  });
});
