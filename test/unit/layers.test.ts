import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invoiceOrigin, parseInvoiceOrigin } from '../../mappings/invoice-values.ts';

/**
 * The floors of the house (shared/docs/house-style.md) as the code stands: every import of every
 * `.ts` file under connector/, jobs/ and mappings/, resolved to the file it names, checked against
 * the rules below. A new import across a floor fails here with the file and the line.
 */
const ROOT = resolve(import.meta.dirname, '../..');

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

const SOURCES = ['connector', 'jobs', 'mappings'].flatMap(sourcesUnder);

/** Each import (static, `import type`, `export … from` or a dynamic `import()`) of a file, resolved from the root. */
function importsOf(file: string): Array<{ line: number; target: string }> {
  const found: Array<{ line: number; target: string }> = [];
  readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/g)) {
        found.push({ line: i + 1, target: relative(ROOT, resolve(ROOT, dirname(file), m[1] as string)) });
      }
    });
  return found;
}

/** [files under, may not import from, why]. */
const RULES: Array<[string, string[], string]> = [
  ['jobs/', ['connector/cli/'], 'the jobs run kinds of work (connector/work), never the command line'],
  [
    'connector/workspace/',
    ['connector/processes/', 'connector/cli/', 'connector/work/', 'jobs/'],
    'the workspace is a floor below the processes',
  ],
  [
    'connector/odoo/',
    ['connector/processes/', 'connector/workspace/', 'connector/cli/', 'connector/work/', 'jobs/'],
    'an edge knows no process',
  ],
  [
    'connector/rcp/',
    [
      'connector/processes/',
      'connector/workspace/',
      'connector/odoo/',
      'connector/cli/',
      'connector/work/',
      'jobs/',
    ],
    'an edge knows no process',
  ],
  [
    'connector/processes/',
    ['connector/cli/', 'connector/work/', 'jobs/'],
    'a process is called by its entrances, never calls them',
  ],
  ['connector/work/', ['connector/cli/', 'jobs/'], 'the registry is read by its entrances'],
  ['mappings/', ['connector/', 'jobs/'], 'the middle is pure: no I/O'],
];

describe('layers: which floor may import which', () => {
  it('finds the sources and their imports (the check below is not empty)', () => {
    expect(SOURCES).toContain('jobs/worker.ts');
    expect(importsOf('jobs/queues.ts').map((i) => i.target)).toContain('connector/work/registry.ts');
    expect(importsOf('connector/cli/enqueue.ts').map((i) => i.target)).toContain('jobs/enqueue-words.ts');
  });

  for (const [under, forbidden, why] of RULES) {
    it(`${under} imports nothing from ${forbidden.join(', ')} (${why})`, () => {
      const crossings = SOURCES.filter((f) => f.startsWith(under)).flatMap((file) =>
        importsOf(file)
          .filter((i) => forbidden.some((f) => i.target.startsWith(f)))
          .map((i) => `${file}:${i.line} imports ${i.target}`),
      );
      expect(crossings).toEqual([]);
    });
  }
});

describe('one home for a period’s form', () => {
  it('no source but mappings/period.ts writes the pattern of a month YYYY-MM', () => {
    // A month alone: four digits, a dash, two digits, not followed by a day's dash (dates and times are other things).
    const month = /\\d\{4\}-(\\d\{2\}|\(0\[1-9\]\|1\[0-2\]\))(?!-)/;
    const copies = SOURCES.filter((f) => f !== 'mappings/period.ts').flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((text, i) => (month.test(text) ? [`${file}:${i + 1}: ${text.trim()}`] : [])),
    );
    expect(copies).toEqual([]);
    expect(month.test(readFileSync(join(ROOT, 'mappings/period.ts'), 'utf8'))).toBe(true);
  });

  it("an invoice's origin is read back as it is written, with the period's own form", () => {
    const uuid = '3f6c1a2b-0000-4000-8000-00000000abcd';
    expect(parseInvoiceOrigin(invoiceOrigin('2026-10', 'client', uuid))).toEqual({
      period: '2026-10',
      kind: 'client',
      uuid,
    });
    expect(parseInvoiceOrigin(`RCP 2026-10 PARTNER ${uuid}`)?.kind).toBe('partner');
    expect(parseInvoiceOrigin(`RCP 2026-13 client ${uuid}`)).toBeUndefined();
    expect(parseInvoiceOrigin('RCP 2026-10: корректировка INV/1')).toBeUndefined();
    expect(parseInvoiceOrigin(false)).toBeUndefined();
  });
});
