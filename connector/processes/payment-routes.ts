/**
 * What the payments push reads to route a payment by what it pays: the RCP cards (clients and
 * partners) linked to each paying company, and, for a company with several, the part of each
 * payment reconciled with each card's invoices (Odoo's partial reconciliations). A link counts
 * only when its external ID (`rcp_connector.client_<uuid>` / `…partner_<uuid>`) points at that very
 * company, and an invoice is a card's only when its external ID is that card's invoice.
 */
import { invoiceXmlid, xmlidOf } from '../../mappings/external-ids.ts';
import { parseInvoiceOrigin } from '../../mappings/invoice-values.ts';
import { toKopecks } from '../../mappings/money.ts';
import { type Card, type Route, cardKind, cardUuid, routePayment } from '../../mappings/payment-routing.ts';
import { batchesOf } from '../batches.ts';
import type { ProcessDeps } from '../deps.ts';
import type { OdooClient, OdooRecord } from '../odoo/client.ts';
import { externalIds } from '../odoo/external-ids.ts';

export interface PaymentToRoute {
  id: number;
  amount: number;
  state: string;
  partner_id: [number, string] | false;
  move_id?: [number, string] | false;
}

export interface Routing {
  /** The verified RCP cards of each company. */
  cardsOf: Map<number, Card[]>;
  /** Each payment's parts reconciled with RCP invoices, per card. */
  partsOf: Map<number, Array<{ card: Card; kopecks: number }>>;
  /** `x_rcp_counterparty` of a card (id, name), when the workspace knows it. */
  counterpartyOf: Map<Card, { id: number; name: string }>;
  cardOfCounterparty: Map<number, Card>;
}

interface CounterpartyRow extends OdooRecord {
  x_rcp_id: string | false;
  x_kind: string | false;
  x_name: string | false;
  x_partner_id: [number, string] | false;
}

const cardOf = (kind: string, uuid: string): Card => `${kind}:${uuid.toLowerCase()}`;

export async function readRouting(
  deps: ProcessDeps,
  payments: readonly PaymentToRoute[],
  counterpartyIds: readonly number[],
): Promise<Routing> {
  const { odoo } = deps;
  const companies = [...new Set(payments.flatMap((p) => (p.partner_id ? [p.partner_id[0]] : [])))];
  const own = new Set(deps.config.ownPartnerIds.map((u) => u.toLowerCase()));
  const candidates: Array<{ company: number; card: Card }> = [];
  for (const batch of batchesOf(companies, odoo.config.batchSize)) {
    for (const c of await odoo.read<OdooRecord & { ref: string | false }>('res.partner', batch, ['ref'])) {
      if (!c.ref) continue;
      candidates.push({ company: c.id, card: cardOf('client', c.ref) });
      if (!own.has(c.ref.toLowerCase())) candidates.push({ company: c.id, card: cardOf('partner', c.ref) });
    }
  }
  const counterparties = await readCounterparties(odoo, companies, counterpartyIds);
  const counterpartyOf = new Map<Card, { id: number; name: string }>();
  const cardOfCounterparty = new Map<number, Card>();
  for (const row of counterparties) {
    if (!row.x_rcp_id || (row.x_kind !== 'client' && row.x_kind !== 'partner')) continue;
    const card = cardOf(row.x_kind, row.x_rcp_id);
    counterpartyOf.set(card, { id: row.id, name: row.x_name || row.x_rcp_id });
    cardOfCounterparty.set(row.id, card);
    if (row.x_partner_id && companies.includes(row.x_partner_id[0]))
      candidates.push({ company: row.x_partner_id[0], card });
  }
  const xmlids = candidates.map((c) => xmlidOf(cardKind(c.card), cardUuid(c.card)));
  const found = await externalIds(odoo).resolve(xmlids);
  const cardsOf = new Map<number, Card[]>();
  for (const [index, c] of candidates.entries()) {
    const target = found.get(xmlids[index] ?? '');
    if (target?.model !== 'res.partner' || target.id !== c.company) continue;
    const cards = cardsOf.get(c.company) ?? [];
    if (!cards.includes(c.card)) cards.push(c.card);
    cardsOf.set(c.company, cards);
  }
  // Every payment's invoice parts, not only those of companies seen with several cards: the cards
  // of a company are known from the workspace's counterparties, which a reinstalled workspace lacks
  // until its next sync, and a payment of B's invoice must credit B even then.
  const partsOf = await readInvoiceParts(
    odoo,
    payments.filter((p) => p.partner_id && p.move_id),
  );
  return { cardsOf, partsOf, counterpartyOf, cardOfCounterparty };
}

async function readCounterparties(
  odoo: OdooClient,
  companies: readonly number[],
  ids: readonly number[],
): Promise<CounterpartyRow[]> {
  const rows: CounterpartyRow[] = [];
  const fields = ['x_rcp_id', 'x_kind', 'x_name', 'x_partner_id'];
  for (const batch of batchesOf([...companies], odoo.config.batchSize)) {
    for await (const page of odoo.searchReadPages<CounterpartyRow>(
      'x_rcp_counterparty',
      [['x_partner_id', 'in', batch]],
      fields,
    ))
      rows.push(...page);
  }
  const missing = ids.filter((id) => !rows.some((r) => r.id === id));
  for (const batch of batchesOf(missing, odoo.config.batchSize)) {
    rows.push(...(await odoo.read<CounterpartyRow>('x_rcp_counterparty', batch, fields)));
  }
  return rows;
}

interface PartialRow extends OdooRecord {
  amount: number;
  credit_move_id: [number, string] | false;
  debit_move_id: [number, string] | false;
}

/**
 * Per payment, the amounts reconciled with RCP invoices, per card: the partial reconciliations
 * whose credit line is on the payment's journal entry and whose debit line is on an invoice the
 * connector made (its external ID names the card).
 */
async function readInvoiceParts(
  odoo: OdooClient,
  payments: readonly PaymentToRoute[],
): Promise<Map<number, Array<{ card: Card; kopecks: number }>>> {
  const parts = new Map<number, Array<{ card: Card; kopecks: number }>>();
  const paymentOfMove = new Map(payments.flatMap((p) => (p.move_id ? [[p.move_id[0], p.id] as const] : [])));
  if (paymentOfMove.size === 0) return parts;
  const partials: PartialRow[] = [];
  for (const batch of batchesOf([...paymentOfMove.keys()], odoo.config.batchSize)) {
    for await (const page of odoo.searchReadPages<PartialRow>(
      'account.partial.reconcile',
      [['credit_move_id.move_id', 'in', batch]],
      ['amount', 'credit_move_id', 'debit_move_id'],
    ))
      partials.push(...page);
  }
  const lineIds = [
    ...new Set(
      partials.flatMap((p) => [p.credit_move_id, p.debit_move_id]).flatMap((l) => (l ? [l[0]] : [])),
    ),
  ];
  const moveOfLine = new Map<number, number>();
  for (const batch of batchesOf(lineIds, odoo.config.batchSize)) {
    for (const line of await odoo.read<OdooRecord & { move_id: [number, string] | false }>(
      'account.move.line',
      batch,
      ['move_id'],
    ))
      if (line.move_id) moveOfLine.set(line.id, line.move_id[0]);
  }
  const invoiceIds = [
    ...new Set(partials.flatMap((p) => (p.debit_move_id ? [moveOfLine.get(p.debit_move_id[0]) ?? 0] : []))),
  ].filter((id) => id > 0);
  const cardOfInvoice = new Map<number, Card>();
  const claimed: Array<{ invoice: number; card: Card; xmlid: string }> = [];
  for (const batch of batchesOf(invoiceIds, odoo.config.batchSize)) {
    for (const move of await odoo.read<OdooRecord & { invoice_origin: string | false }>(
      'account.move',
      batch,
      ['invoice_origin'],
    )) {
      const origin = parseInvoiceOrigin(move.invoice_origin);
      if (!origin) continue;
      const { period, kind, uuid } = origin;
      claimed.push({ invoice: move.id, card: cardOf(kind, uuid), xmlid: invoiceXmlid(period, kind, uuid) });
    }
  }
  const found = await externalIds(odoo).resolve(claimed.map((c) => c.xmlid));
  for (const c of claimed) {
    const target = found.get(c.xmlid);
    if (target?.model === 'account.move' && target.id === c.invoice) cardOfInvoice.set(c.invoice, c.card);
  }
  for (const partial of partials) {
    const payment = paymentOfMove.get(
      moveOfLine.get(partial.credit_move_id ? partial.credit_move_id[0] : 0) ?? 0,
    );
    const card = cardOfInvoice.get(moveOfLine.get(partial.debit_move_id ? partial.debit_move_id[0] : 0) ?? 0);
    if (payment === undefined || card === undefined) continue;
    const list = parts.get(payment) ?? [];
    const same = list.find((p) => p.card === card);
    if (same) same.kopecks += toKopecks(partial.amount);
    else list.push({ card, kopecks: toKopecks(partial.amount) });
    parts.set(payment, list);
  }
  return parts;
}

/**
 * Where a payment's money should be in RCP now: nothing when it is no longer done (cancelled,
 * reset); else its routing, the rest going to the card chosen on its ledger record or, failing
 * that, to the one card RCP already holds it on.
 */
export function desiredRoute(
  routing: Routing,
  payment: PaymentToRoute | undefined,
  doneStates: readonly string[],
  chosen: Card | undefined,
): Route {
  if (!payment || !doneStates.includes(payment.state)) return { ok: true, allocation: new Map() };
  return routePayment({
    amountKopecks: toKopecks(payment.amount),
    invoiceParts: routing.partsOf.get(payment.id) ?? [],
    companyCards: payment.partner_id ? (routing.cardsOf.get(payment.partner_id[0]) ?? []) : [],
    chosen,
  });
}
