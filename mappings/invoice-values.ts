import { createHash } from 'node:crypto';
import type { InvoicePlan } from './invoice-lines.ts';
import { roundToDigits } from './odoo-values.ts';
import { type InvoiceDateRule, PERIOD_PATTERN, type Period, invoiceDate } from './period.ts';

/**
 * The Odoo values of one invoice (`account.move` header and product lines), and how to tell
 * whether what Odoo holds already says the same. Pure: the writer decides and writes with them.
 */

/** Who an invoice is for, as the header needs it. */
export interface InvoiceCounterparty {
  kind: 'client' | 'partner';
  uuid: string;
  paymentModel: 'prepay' | 'postpay';
}

export interface InvoiceHeaderRules {
  invoiceDate: InvoiceDateRule;
  paymentTermPrepay: number;
  paymentTermPostpay: number;
}

export interface InvoiceHeader {
  partnerId: number;
  invoiceDate: string;
  ref: string;
  origin: string;
  termId: number;
}

export function toInvoiceHeader(
  period: Period,
  counterparty: InvoiceCounterparty,
  partnerId: number,
  rules: InvoiceHeaderRules,
): InvoiceHeader {
  return {
    partnerId,
    invoiceDate: invoiceDate(period, rules.invoiceDate),
    ref: `RCP ${period}`,
    origin: invoiceOrigin(period, counterparty.kind, counterparty.uuid),
    termId: counterparty.paymentModel === 'prepay' ? rules.paymentTermPrepay : rules.paymentTermPostpay,
  };
}

/** An invoice's `invoice_origin`: the period, counterparty kind and uuid it is for. */
export function invoiceOrigin(period: Period, kind: 'client' | 'partner', uuid: string): string {
  return `RCP ${period} ${kind} ${uuid}`;
}

/** invoiceOrigin's form: the period as PERIOD_PATTERN says, the kind, the uuid. */
const ORIGIN = new RegExp(
  `^RCP (?<period>${PERIOD_PATTERN.source.replace(/^\^|\$$/g, '')}) (?<kind>client|partner) (?<uuid>[0-9a-f-]{36})$`,
  'i',
);

/** What an invoice's `invoice_origin` says (invoiceOrigin's reverse): undefined when it is not an RCP invoice's. */
export function parseInvoiceOrigin(
  origin: string | false | undefined,
): { period: string; kind: 'client' | 'partner'; uuid: string } | undefined {
  const { period, kind, uuid } = ORIGIN.exec(origin || '')?.groups ?? {};
  if (!period || !kind || !uuid) return undefined;
  return { period, kind: kind.toLowerCase() as 'client' | 'partner', uuid };
}

/** Columns of the header rows given to `load()`, which creates or updates by external ID. */
/** The header's columns for `load()`. */
function headerColumns(journalId: number | undefined): string[] {
  const columns = [
    'id',
    'move_type',
    'partner_id/.id',
    'invoice_date',
    'ref',
    'invoice_origin',
    'invoice_payment_term_id/.id',
  ];
  if (journalId) columns.push('journal_id/.id');
  return columns;
}

const LINE_COLUMNS = [
  'invoice_line_ids/product_id/.id',
  'invoice_line_ids/name',
  'invoice_line_ids/quantity',
  'invoice_line_ids/price_unit',
  'invoice_line_ids/tax_ids/.id',
] as const;

/**
 * The columns of a new invoice for `load()`: header, external ID and lines in one call, so a new
 * draft is made whole in one Odoo transaction (never a header at 0.00 waiting for its lines).
 */
export function invoiceColumns(journalId: number | undefined): string[] {
  return [...headerColumns(journalId), ...LINE_COLUMNS];
}

/**
 * A new invoice as `load()` rows: the first carries the header and the first line, each further
 * row one more line under empty header cells (Odoo's import format for a one2many). An empty tax
 * cell is "no tax", as `[6, 0, []]` is.
 */
export function toInvoiceRows(
  xmlid: string,
  h: InvoiceHeader,
  lines: readonly InvoiceLineValues[],
  journalId: number | undefined,
): string[][] {
  const header = [
    xmlid,
    'out_invoice',
    String(h.partnerId),
    h.invoiceDate,
    h.ref,
    h.origin,
    String(h.termId),
  ];
  if (journalId) header.push(String(journalId));
  const cellsOf = (line: InvoiceLineValues) => [
    String(line.product_id),
    line.name,
    String(line.quantity),
    String(line.price_unit),
    line.tax_ids.flatMap(([, , ids]) => ids).join(','),
  ];
  const blank = header.map(() => '');
  const [first, ...rest] = lines;
  if (!first) return [[...header, '', '', '', '', '']];
  return [[...header, ...cellsOf(first)], ...rest.map((line) => [...blank, ...cellsOf(line)])];
}

/**
 * The header as `write` values, for rewriting a draft in the same call as its lines; with the
 * configured journal (`INVOICE_JOURNAL_ID`), which moves a draft made in another one.
 */
export function toInvoiceHeaderValues(
  h: InvoiceHeader,
  journalId?: number | undefined,
): Record<string, string | number> {
  return {
    partner_id: h.partnerId,
    invoice_date: h.invoiceDate,
    ref: h.ref,
    invoice_origin: h.origin,
    invoice_payment_term_id: h.termId,
    ...(journalId ? { journal_id: journalId } : {}),
  };
}

/**
 * The `invoice_line_ids` commands that replace a draft's lines in ONE write: clear whatever lines
 * it holds when Odoo runs the write (not the ones read earlier, which another run may have
 * replaced meanwhile: deleting those by id would leave that run's lines beside these), then the
 * new lines. Two such writes at once serialize in Odoo: the last one wins, never both.
 */
export function replaceLineCommands(lines: readonly InvoiceLineValues[]): unknown[] {
  return [[5, 0, 0], ...lines.map((line) => [0, 0, line])];
}

export interface InvoiceLineValues {
  product_id: number;
  name: string;
  quantity: number;
  price_unit: number;
  tax_ids: Array<[6, 0, number[]]>;
}

/** One product line per planned line, with the configured taxes (sorted ids). */
export function toInvoiceLineValues(
  plan: Pick<InvoicePlan, 'lines'>,
  productIds: ReadonlyMap<string, number>,
  taxIds: readonly number[],
): InvoiceLineValues[] {
  return plan.lines.map((line) => ({
    product_id: productIds.get(line.billingClassId) as number,
    name: line.label,
    quantity: line.odooQuantity,
    price_unit: line.odooPriceUnit,
    tax_ids: [[6, 0, [...taxIds]]],
  }));
}

/** The header fields of an `account.move` as Odoo reads them. */
export interface MoveHeaderRow {
  partner_id: [number, string] | false;
  invoice_date: string | false;
  ref: string | false;
  invoice_origin: string | false;
  invoice_payment_term_id: [number, string] | false;
}

/** The product lines of invoices (not their tax, payment-term or note lines). */
export function productLinesDomain(moveIds: readonly number[]): unknown[] {
  return [
    ['move_id', 'in', [...moveIds]],
    ['display_type', '=', 'product'],
  ];
}

/** A product line of an `account.move` as Odoo reads it. */
export interface MoveLineRow {
  product_id: [number, string] | false;
  name: string | false;
  quantity: number;
  price_unit: number;
  tax_ids: number[];
}

export function sameHeader(move: MoveHeaderRow, h: InvoiceHeader): boolean {
  return (
    (move.partner_id ? move.partner_id[0] : 0) === h.partnerId &&
    move.invoice_date === h.invoiceDate &&
    move.ref === h.ref &&
    move.invoice_origin === h.origin &&
    (move.invoice_payment_term_id ? move.invoice_payment_term_id[0] : 0) === h.termId
  );
}

/** The same lines in any order, with exactly the configured taxes (`taxIds` sorted). */
export function sameLineSet(
  desired: ReadonlyArray<Pick<InvoiceLineValues, 'product_id' | 'name' | 'quantity' | 'price_unit'>>,
  current: readonly MoveLineRow[],
  taxIds: readonly number[],
): boolean {
  if (desired.length !== current.length) return false;
  const key = (l: { product: number; name: string; quantity: number; price: number }) =>
    `${l.product}|${l.name}|${roundToDigits(l.quantity, 6)}|${roundToDigits(l.price, 6)}`;
  const want = desired
    .map((l) => key({ product: l.product_id, name: l.name, quantity: l.quantity, price: l.price_unit }))
    .sort();
  const have = current
    .map((l) =>
      key({
        product: l.product_id ? l.product_id[0] : 0,
        name: l.name || '',
        quantity: l.quantity,
        price: l.price_unit,
      }),
    )
    .sort();
  const taxesSame = current.every(
    (l) => JSON.stringify([...l.tax_ids].sort((a, b) => a - b)) === JSON.stringify(taxIds),
  );
  return taxesSame && JSON.stringify(want) === JSON.stringify(have);
}

/** How the usage detail CSVs attached to invoices are named (the previous one is replaced by name). */
export const USAGE_ATTACHMENT_PREFIX = 'rcp-usage-';

/** The name of the usage detail CSV attached to an invoice. */
export function usageAttachmentName(
  period: Period,
  counterparty: Omit<InvoiceCounterparty, 'paymentModel'>,
): string {
  return `${USAGE_ATTACHMENT_PREFIX}${period}-${counterparty.kind}-${counterparty.uuid}.csv`;
}

/**
 * A short digest of what the connector controls on an invoice as Odoo holds it (header fields it
 * sets, and every product line with its taxes), so that a later run can tell a draft the connector
 * left from one an accountant has changed since. Lines in any order; values as Odoo stores them.
 */
export function invoiceFingerprint(
  move: MoveHeaderRow,
  lines: ReadonlyArray<MoveLineRow & { display_type?: string }>,
): string {
  const id = (v: [number, string] | false) => (v ? v[0] : 0);
  const header = [
    id(move.partner_id),
    move.invoice_date || '',
    move.ref || '',
    move.invoice_origin || '',
    id(move.invoice_payment_term_id),
  ].join('|');
  const body = lines
    .map((l) =>
      [
        l.display_type ?? 'product',
        id(l.product_id),
        l.name || '',
        roundToDigits(l.quantity, 6),
        roundToDigits(l.price_unit, 6),
        [...l.tax_ids].sort((a, b) => a - b).join(','),
      ].join('|'),
    )
    .sort();
  return createHash('sha256')
    .update([header, ...body].join('\n'))
    .digest('hex')
    .slice(0, 24);
}

/** What the connector keeps on an invoice about its own last write (in its usage attachment's description). */
export interface WriterMark {
  /** `invoiceFingerprint` of the invoice right after the connector wrote it. */
  fingerprint: string;
  /** The connector's chatter note on it, updated rather than added again. */
  noteId?: number | undefined;
}

const MARK_PREFIX = 'rcp-odoo:';

export function formatWriterMark(mark: WriterMark): string {
  return `${MARK_PREFIX}${JSON.stringify({ fingerprint: mark.fingerprint, ...(mark.noteId ? { noteId: mark.noteId } : {}) })}`;
}

/** The JSON of a mark, or undefined when the text is not one (an older connector, or a person's text). */
export function writerMarkJson(text: string | false | undefined): string | undefined {
  return typeof text === 'string' && text.startsWith(MARK_PREFIX)
    ? text.slice(MARK_PREFIX.length)
    : undefined;
}

/** The Odoo claim that lets one run at a time write a counterparty's invoice of a period. */
export function invoiceClaimKey(period: Period, kind: 'client' | 'partner', uuid: string): string {
  return `invoice:${period}:${kind}:${uuid.toLowerCase()}`;
}
