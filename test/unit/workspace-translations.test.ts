import { describe, expect, it } from 'vitest';
import { SUPPORTED_MAJORS, capabilitiesFor } from '../../connector/odoo/capabilities.ts';
import { workspaceDefinition } from '../../connector/workspace/definition.ts';
import { RUN_CHECK_TEXTS } from '../../connector/workspace/run-check.ts';
import { REQUEST_WORDS, say } from '../../connector/workspace/run-rules.ts';
import { RU, russianEntries, textsOf, untranslated } from '../../connector/workspace/translations.ts';

/**
 * The workspace in Russian: every text a person reads (group, model, field label and help, selection
 * option, server and window action, menu, and each view's labels, buttons, confirmations and filters)
 * has its Russian in translations.ts, for each Odoo version's definition; and what setup writes
 * names each of them.
 */
describe.each(SUPPORTED_MAJORS)('the workspace in Russian on Odoo %i', (major) => {
  const items = workspaceDefinition(capabilitiesFor(major));

  it('every text of the workspace a person reads has a Russian value', () => {
    expect(untranslated(items)).toEqual([]);
  });

  it('finds the texts where a person reads them: menus, field labels, options, view buttons and filters', () => {
    const english = new Set(textsOf(items).map((t) => t.english));
    for (const text of [
      'Runs', // menu and window action
      'What', // field label
      'Requested', // selection option (state)
      'Cancel', // the Runs form's button
      'Cancel this run before a worker takes it?', // its confirmation
      'Requested or running', // a filter
      major >= 19 ? 'User' : 'RCP / User', // group
    ])
      expect(english, text).toContain(text);
  });

  it('writes each text into its record: a field per record, an option per value, the terms per view', () => {
    const entries = russianEntries(items);
    expect(entries).toContainEqual({
      xmlid: 'rcp_connector.menu_runs',
      field: 'name',
      value: 'Запуски',
    });
    expect(entries).toContainEqual({
      xmlid: 'rcp_connector.field_x_rcp_run__x_state',
      field: 'selection',
      selection: 'requested',
      value: 'Запрошен',
    });
    const form = entries.find((e) => e.xmlid === 'rcp_connector.view_x_rcp_run_form');
    expect(form).toMatchObject({ field: 'arch_db', terms: { Cancel: 'Отменить' } });
    // No Latin word is left in a Russian text but names (RCP, Odoo, uuid, JSON…).
    const names = /\b(RCP|Odoo|uuid|UUID|ID|JSON|client|partner|rcp|odoo|setup|ODOO_USER|e-mail)\b/g;
    for (const [en, ru] of Object.entries(RU))
      expect(ru.replace(names, '').replace(/<uuid>|--[a-z-]+|%\(\w+\)s|\{\w+\}/g, ''), en).not.toMatch(
        /[A-Za-z]{3,}/,
      );
  });
});

describe("the run check's words (the worker's, said by Odoo on save)", () => {
  it('each has its Russian, with the same slots', () => {
    for (const text of RUN_CHECK_TEXTS) {
      const ru = RU[text];
      expect(ru, text).toBeDefined();
      const slots = (t: string) => [...t.matchAll(/%\((\w+)\)s/g)].map((m) => m[1]).sort();
      expect(slots(ru as string), text).toEqual(slots(text));
    }
  });

  it('fills its slots as Python does', () => {
    expect(say('monthNeeded', { got: 'ноябрь 2026' })).toBe(
      'a month is needed as YYYY-MM (got "ноябрь 2026")',
    );
    expect(REQUEST_WORDS.notOver).toContain('%(period)s is not over yet');
  });
});

describe("a month's rule: Odoo's Python twin (_period.py) agrees with the worker's (isPeriod)", () => {
  it('on every kind of text', async () => {
    const { execFileSync } = await import('node:child_process');
    const { isPeriod, periodCheckPython } = await import('../../connector/workspace/run-rules.ts');
    const samples = [
      '2026-10',
      '2026-1',
      '2026-00',
      '2026-12',
      '2026-13',
      'ноябрь 2026',
      '',
      '2026/10',
      '20261-0',
      ' 026-10',
      '2026-1a',
      '0000-01',
      '2026-10 ',
    ];
    const script = `${periodCheckPython()}\nimport json, sys\nprint(json.dumps([is_period(s) for s in json.load(sys.stdin)]))`;
    const python = JSON.parse(
      execFileSync('python3', ['-c', script], { input: JSON.stringify(samples), encoding: 'utf8' }),
    );
    expect(python).toEqual(samples.map(isPeriod));
  });
});
