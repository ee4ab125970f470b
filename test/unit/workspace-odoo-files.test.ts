import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_MAJORS, capabilitiesFor } from '../../connector/odoo/capabilities.ts';
import { workspaceDefinition } from '../../connector/workspace/definition.ts';
import { ODOO_FILES_DIR, actionCode, reportArch } from '../../connector/workspace/odoo-files.ts';

/**
 * The workspace's Odoo files are code Odoo runs: every `.py` compiles and every `.xml` is
 * well-formed, as the files stand (each XML file parsed as a fragment: a report's body has several
 * roots) and as setup writes them for each Odoo version (every server action's and computed
 * field's code compiled, every view's arch parsed as the one document Odoo stores). Python's own
 * compiler and its strict XML parser (expat) judge, one python3 run for all. The web client's
 * module (`assets/*.js`) parses as an ES module and imports only Odoo's core modules (see its head).
 */
interface Source {
  name: string;
  kind: 'py' | 'xml' | 'xml-fragment';
  text: string;
}

const CHECK = `
import json, sys, xml.etree.ElementTree as ET
errors = []
for s in json.load(sys.stdin):
    try:
        if s['kind'] == 'py':
            compile(s['text'], s['name'], 'exec')
        elif s['kind'] == 'xml':
            ET.fromstring(s['text'].encode())
        else:
            ET.fromstring(('<rcp-fragment>' + s['text'] + '</rcp-fragment>').encode())
    except Exception as e:
        errors.append('%s: %s' % (s['name'], e))
print(json.dumps(errors))
`;

function problems(sources: readonly Source[]): string[] {
  const out = execFileSync('python3', ['-c', CHECK], { input: JSON.stringify(sources), encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const files = filesUnder(ODOO_FILES_DIR).sort();

describe("the workspace's Odoo files", () => {
  it('are all .py or .xml, or .js of the web client, or .sql of the database guards, and each kind is there', () => {
    const names = files.map((f) => relative(ODOO_FILES_DIR, f));
    expect(
      names.filter(
        (n) => !/\.(py|xml)$/.test(n) && !/^assets\/[\w-]+\.js$/.test(n) && !/^sql\/[\w-]+\.sql$/.test(n),
      ),
    ).toEqual([]);
    for (const dir of ['actions/', 'computes/', 'views/', 'reports/', 'assets/', 'sql/'])
      expect(
        names.some((n) => n.startsWith(dir)),
        dir,
      ).toBe(true);
  });

  it('the web client module parses, and imports only what Odoo 17, 18 and 19 all have at its core', () => {
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(file, 'utf8');
      // Odoo transpiles only a file that starts with this comment (17 requires it).
      expect(text.startsWith('/** @odoo-module **/\n')).toBe(true);
      execFileSync(process.execPath, ['--check', '--input-type=module'], { input: text });
      const imports = [...text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
      expect(imports.length).toBeGreaterThan(0);
      expect(
        imports.filter(
          (i) =>
            !['@odoo/owl', '@web/core/registry', '@web/core/utils/hooks', '@web/core/utils/patch'].includes(
              i as string,
            ),
        ),
      ).toEqual([]);
    }
  });

  it('compile (Python) and parse (XML) as they stand', () => {
    // The guards' SQL is run by PostgreSQL in the real-Odoo tests (workspace-rights, workspace-setup).
    const sources = files
      .filter((f) => !f.endsWith('.js') && !f.endsWith('.sql'))
      .map(
        (f): Source => ({
          name: relative(ODOO_FILES_DIR, f),
          kind: f.endsWith('.py') ? 'py' : 'xml-fragment',
          text: readFileSync(f, 'utf8'),
        }),
      );
    expect(problems(sources)).toEqual([]);
  });

  it.each(SUPPORTED_MAJORS)('compile and parse as setup writes them for Odoo %i', (major) => {
    const sources: Source[] = [];
    for (const item of workspaceDefinition(capabilitiesFor(major))) {
      const { code, compute, arch } = item.values;
      if (item.model === 'ir.actions.server' && typeof code === 'string')
        sources.push({ name: item.name, kind: 'py', text: code });
      if (item.model === 'ir.model.fields' && typeof compute === 'string')
        sources.push({ name: item.name, kind: 'py', text: compute });
      if (item.model === 'ir.ui.view' && typeof arch === 'string')
        sources.push({ name: item.name, kind: 'xml', text: arch });
    }
    expect(sources.filter((s) => s.kind === 'py').length).toBeGreaterThan(15);
    expect(sources.filter((s) => s.kind === 'xml').length).toBeGreaterThan(20);
    expect(problems(sources)).toEqual([]);
  });

  it('a broken file is named: the check itself fails on bad Python and bad XML', () => {
    expect(
      problems([
        { name: 'bad.py', kind: 'py', text: 'for rec in records\n    pass' },
        { name: 'bad.xml', kind: 'xml-fragment', text: '<form><field name="x"></form>' },
      ]).map((p) => p.split(':')[0]),
    ).toEqual(['bad.py', 'bad.xml']);
  });

  it('every placeholder gets a value and every value a placeholder', () => {
    expect(() => actionCode('payment_resolve')).toThrow(
      /payment_resolve\.py: no value given for \{\{resolution\}\}/,
    );
    expect(() => actionCode('action_claim_run', { extra: 'x' })).toThrow(/no placeholder for extra/);
    expect(() => reportArch('_document', { name: 'n', body: ['a', 'b'], totals: 'x' })).toThrow(
      /no placeholder for totals/,
    );
    // A line placeholder takes lines, each indented as it is.
    expect(actionCode('_fingerprint').split('\n')[0]).toBe('def rcp_fingerprint(move):');
    expect(actionCode('action_draft_marks', { fingerprint: ['def f():', '    return 1'] })).toContain(
      '\ndef f():\n    return 1\n',
    );
  });
});
