/**
 * The workspace's Odoo code, kept as files beside this module (`odoo/`), read when first used:
 * server actions as Python (`odoo/actions/*.py`, top-level statements as Odoo runs them), computed
 * fields' code (`odoo/computes/*.py`), the database guards' SQL (`odoo/sql/*.sql`), views
 * (`odoo/views/*.xml`) and report templates (`odoo/reports/*.xml`, QWeb). `npm run build` copies
 * the folder into dist/ next to the compiled module, so the package finds them the same way.
 *
 * Parameters: `{{name}}` in a file is replaced by the value given for it. A placeholder alone on its
 * line takes a list of lines, each indented as the placeholder. Every placeholder must be given a
 * value and every value must be used (a mistake names the file). No other templating.
 *
 * XML is written indented, for people; setup writes it as Odoo stores it, on one line: `<!-- … -->`
 * comments, and each line break with the indentation around it, are dropped. So a line break belongs
 * only between two tags, never inside text. Python is written exactly as it runs (comments kept).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the workspace's Odoo files. */
export const ODOO_FILES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'odoo');

export type OdooFileParams = Readonly<Record<string, string | readonly string[]>>;

const texts = new Map<string, string>();

function read(path: string): string {
  let text = texts.get(path);
  if (text === undefined) {
    text = readFileSync(join(ODOO_FILES_DIR, path), 'utf8');
    texts.set(path, text);
  }
  return text;
}

function fill(path: string, text: string, params: OdooFileParams): string {
  const used = new Set<string>();
  const value = (name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`${path}: no value given for {{${name}}}`);
    used.add(name);
    return v;
  };
  const out = text.replace(
    /^([ \t]*)\{\{(\w+)\}\}[ \t]*$|\{\{(\w+)\}\}/gm,
    (_match, indent: string | undefined, line: string | undefined, inline: string | undefined) => {
      if (line !== undefined) {
        const v = value(line);
        const lines = typeof v === 'string' ? v.split('\n') : v;
        return lines.map((l) => `${indent ?? ''}${l}`).join('\n');
      }
      const v = value(inline as string);
      if (typeof v !== 'string')
        throw new Error(`${path}: {{${inline}}} is inside a line: give it one string`);
      return v;
    },
  );
  const unused = Object.keys(params).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`${path}: no placeholder for ${unused.join(', ')}`);
  return out;
}

/**
 * The setting a workspace action turns on for its own transaction before it writes the connector's
 * records for an RCP user (cancel a run, settle a review): the guards' triggers (guards.ts) let such
 * a write through. Only actions whose every write is checked by their own code use it, and never one
 * Odoo runs inside a user's write (a computed field's check).
 */
export const TRUSTED_SETTING = 'rcp_connector.trusted';
const TRUSTED_WRITES = `env.cr.execute("SET LOCAL ${TRUSTED_SETTING} = 'on'")`;

/**
 * A server action's code (`odoo/actions/NAME.py`), parameters filled in; `{{trusted_writes}}`, alone
 * on its line, is the statement that marks the action's writes as the workspace's own.
 */
export function actionCode(name: string, params: OdooFileParams = {}): string {
  const path = `actions/${name}.py`;
  const text = read(path);
  const trusted = text.includes('{{trusted_writes}}') ? { trusted_writes: TRUSTED_WRITES } : {};
  return fill(path, text, { ...trusted, ...params }).replace(/\n$/, '');
}

/** SQL the guards action runs (`odoo/sql/NAME.sql`), parameters filled in. */
export function sqlCode(name: string, params: OdooFileParams = {}): string {
  const path = `sql/${name}.sql`;
  return fill(path, read(path), params).replace(/\n$/, '');
}

/** A computed field's code (`odoo/computes/MODEL.FIELD.py`), run by Odoo over `self`. */
export function computeCode(name: string, params: OdooFileParams = {}): string {
  const path = `computes/${name}.py`;
  return fill(path, read(path), params).replace(/\n$/, '');
}

/** An indented XML file as the one line Odoo stores (comments and line breaks between tags dropped). */
function xmlLine(path: string, params: OdooFileParams): string {
  const text = read(path).replace(/<!--[\s\S]*?-->/g, '');
  return fill(path, text, params)
    .split('\n')
    .map((line) => line.trim())
    .join('');
}

/** A view's arch (`odoo/views/NAME.xml`). */
export function viewArch(name: string, params: OdooFileParams = {}): string {
  return xmlLine(`views/${name}.xml`, params);
}

/** A report template, or a part of one (`odoo/reports/NAME.xml`). */
export function reportArch(name: string, params: OdooFileParams = {}): string {
  return xmlLine(`reports/${name}.xml`, params);
}

/** A web-client asset (`odoo/assets/NAME`), as it is: Odoo transpiles it when it builds the bundle. */
export function assetText(name: string): string {
  return read(`assets/${name}`);
}
