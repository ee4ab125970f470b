/**
 * Desired Odoo values, kept in one neutral shape so that the same record can be compared with what
 * Odoo holds (`changedFields`), sent through `load()` (`toLoadRow`) or through `write`
 * (`toWriteValues`). Many2one values are ids (or false), many2many values are lists of ids.
 */
export type FieldType =
  | 'char'
  | 'text'
  | 'selection'
  | 'boolean'
  | 'integer'
  | 'float'
  | 'many2one'
  | 'many2many';

export interface FieldSpec {
  type: FieldType;
  /** Decimal places Odoo keeps for a float (a price precision): compare after rounding to them. */
  digits?: number;
}

export type FieldSpecs = Record<string, FieldSpec>;
export type DesiredValue = string | number | boolean | number[];
export type DesiredValues = Record<string, DesiredValue>;

/** One record the connector wants in Odoo, keyed by its external ID. */
export interface DesiredRecord {
  xmlid: string;
  /** How a person names it in a report (`client ООО "Ромашка" (e2cb…)`). */
  label: string;
  values: DesiredValues;
}

/** Round half away from zero to `digits`, as Odoo's float_round does for prices. */
export function roundToDigits(value: number, digits: number): number {
  const factor = 10 ** digits;
  const scaled = Math.abs(value) * factor;
  // Guard against binary noise (1.005 * 100 = 100.49999999999999).
  const rounded = Math.round(Number(scaled.toPrecision(15)));
  return (Math.sign(value) * rounded) / factor;
}

/** What Odoo would hold after storing `value` in a field of `spec`. */
export function normalise(spec: FieldSpec, value: unknown): unknown {
  switch (spec.type) {
    case 'many2one':
      if (Array.isArray(value)) return value[0] ?? false;
      return typeof value === 'number' ? value : false;
    case 'many2many':
      return Array.isArray(value) ? [...(value as number[])].sort((a, b) => a - b) : [];
    case 'float':
      return typeof value === 'number' && spec.digits !== undefined
        ? roundToDigits(value, spec.digits)
        : (value ?? 0);
    case 'boolean':
      return value === true;
    case 'integer':
      return typeof value === 'number' ? value : 0;
    default:
      // Odoo answers false for an empty char field.
      return value === false || value === undefined || value === null ? '' : value;
  }
}

/** The fields whose stored value differs from the desired one. */
export function changedFields(
  specs: FieldSpecs,
  desired: DesiredValues,
  current: Record<string, unknown>,
): string[] {
  return Object.keys(desired).filter((field) => {
    const spec = specs[field] ?? { type: 'char' };
    const want = normalise(spec, desired[field]);
    const have = normalise(spec, current[field]);
    return JSON.stringify(want) !== JSON.stringify(have);
  });
}

/** Values for `create`/`write`. */
export function toWriteValues(
  specs: FieldSpecs,
  desired: DesiredValues,
  fields = Object.keys(desired),
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    const value = desired[field];
    if (value === undefined) continue;
    values[field] = specs[field]?.type === 'many2many' ? [[6, 0, value]] : value;
  }
  return values;
}

/**
 * Columns for `load()`: `id` (the external ID), plain fields as text, relations by database id
 * (`field/.id`). Many2many fields are left to `write`, which says exactly what the set becomes.
 */
export function loadColumns(specs: FieldSpecs, fields: readonly string[]): string[] {
  return [
    'id',
    ...fields
      .filter((f) => specs[f]?.type !== 'many2many')
      .map((f) => (specs[f]?.type === 'many2one' ? `${f}/.id` : f)),
  ];
}

export function toLoadRow(specs: FieldSpecs, record: DesiredRecord, fields: readonly string[]): string[] {
  const row = [record.xmlid];
  for (const field of fields) {
    const spec = specs[field] ?? { type: 'char' };
    if (spec.type === 'many2many') continue;
    const value = record.values[field];
    if (spec.type === 'boolean') row.push(value ? '1' : '0');
    else if (spec.type === 'many2one') row.push(typeof value === 'number' && value > 0 ? String(value) : '');
    else row.push(value === undefined || value === false ? '' : String(value));
  }
  return row;
}
