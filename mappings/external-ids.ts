/**
 * The binder: every external ID (`ir.model.data`) the connector keys its Odoo records with is named
 * here, in module `rcp_connector`, from one sanitising rule (`keyName`). Nowhere else builds a name.
 */
export const XMLID_MODULE = 'rcp_connector';

export type XmlidKind = 'partner' | 'client' | 'product' | 'pricelist' | 'counterparty';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_NAME = /^[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}$/;
/** Kept as they are: letters but `X` (the escape), digits, `_`. */
const KEPT = /^[A-WYZa-z0-9_]$/;

const escaped = (char: string) => `X${(char.codePointAt(0) as number).toString(16).toUpperCase()}X`;

/**
 * An RCP id as (part of) an external ID's name, injectively, so two ids never share a record:
 * - a uuid is lower-cased and its `-` become `_` (`E2CB4854-53C7-…` → `e2cb4854_53c7_…`);
 * - any other id keeps ASCII letters but `X`, digits and `_`, and every other character becomes
 *   `X`, its code point in upper-case hex, `X` (`a-b` → `aX2DXb`, `a.b` → `aX2EXb`, `ГБ` → `X413XX411X`);
 * - an id that is not a uuid but would read like one also has its `_` escaped (`X5FX`).
 * `part: true` names an id followed by more of the name: its `_` are escaped too (a uuid's are
 * not: its shape is fixed), so that where one part ends is never in doubt.
 */
export function keyName(key: string, part = false): string {
  if (UUID.test(key)) return key.toLowerCase().replaceAll('-', '_');
  const name = [...key].map((c) => (KEPT.test(c) && !(part && c === '_') ? c : escaped(c))).join('');
  return UUID_NAME.test(name) ? name.replaceAll('_', escaped('_')) : name;
}

/** The id a `keyName` was made from (uuids come back lower-cased). */
export function keyOfName(name: string): string {
  if (UUID_NAME.test(name)) return name.replaceAll('_', '-');
  return name.replace(/X([0-9A-F]+)X/g, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)));
}

const full = (name: string) => `${XMLID_MODULE}.${name}`;

/** `rcp_connector.client_e2cb4854_53c7_…`: an RCP partner, client, billing class or billing plan. */
export function xmlidOf(kind: XmlidKind, key: string): string {
  return full(`${kind}_${keyName(key)}`);
}

/** `rcp_connector.invoice_2023_06_client_<uuid>`: one invoice per invoiced counterparty and period. */
export function invoiceXmlid(period: string, counterparty: 'client' | 'partner', uuid: string): string {
  const [year, month] = period.split('-');
  return full(
    `invoice_${keyName(year ?? '', true)}_${keyName(month ?? '', true)}_${counterparty}_${keyName(uuid)}`,
  );
}

/** `rcp_connector.pricelist_item_<plan>_<billing class>`: a billing class's price in a billing plan. */
export function pricelistItemXmlid(planId: string, billingClassId: string): string {
  return full(`pricelist_item_${keyName(planId, true)}_${keyName(billingClassId)}`);
}

/** The connector's two partner tags. */
export const TAG_XMLIDS = { partner: full('tag_partner'), client: full('tag_client') } as const;

/** Short names for the usual measures, so their units read `uom_gb`. */
const KNOWN_MEASURES: Record<string, string> = { ГБ: 'gb', ГиБ: 'gib', ТБ: 'tb', МБ: 'mb' };

/** The unit of measure the connector adds for an RCP measure other than pieces. */
export function uomXmlid(measure: string): string {
  return full(`uom_${keyName(KNOWN_MEASURES[measure] ?? measure, true)}`);
}

/** The unit category of that unit (17 and 18). */
export function uomCategoryXmlid(measure: string): string {
  return `${uomXmlid(measure)}_category`;
}

export function splitXmlid(xmlid: string): { module: string; name: string } {
  const dot = xmlid.indexOf('.');
  return dot < 0
    ? { module: XMLID_MODULE, name: xmlid }
    : { module: xmlid.slice(0, dot), name: xmlid.slice(dot + 1) };
}
