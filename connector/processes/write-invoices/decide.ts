import {
  type InvoiceHeader,
  type InvoiceLineValues,
  type MoveHeaderRow,
  type MoveLineRow,
  productLinesDomain,
  sameHeader,
  sameLineSet,
} from '../../../mappings/invoice-values.ts';
import { toKopecks } from '../../../mappings/money.ts';
import type { OdooRecord } from '../../odoo/client.ts';
import { externalIds } from '../../odoo/external-ids.ts';
import type { ProcessDeps } from '../deps.ts';
import type { InvoiceDraft, InvoiceResult } from '../invoice-types.ts';
import { resultOf } from './outcomes.ts';

/** One invoice as the connector wants it in Odoo: mapped once, used by every phase. */
export interface DesiredInvoice {
  draft: InvoiceDraft;
  header: InvoiceHeader;
  lines: InvoiceLineValues[];
}

export interface MoveRow extends OdooRecord, MoveHeaderRow {
  state: string;
  amount_untaxed: number;
  amount_total: number;
}

export interface LineRow extends OdooRecord, MoveLineRow {
  move_id: [number, string];
}

const HEADER_FIELDS = [
  'state',
  'partner_id',
  'invoice_date',
  'ref',
  'invoice_origin',
  'invoice_payment_term_id',
  'amount_untaxed',
  'amount_total',
];

/** What Odoo holds for the drafts: their invoices (found by external ID) and those invoices' product lines. */
export interface CurrentInvoices {
  moveOf(draft: InvoiceDraft): MoveRow | undefined;
  linesOf(moveId: number): LineRow[];
}

export async function readCurrentInvoices(
  deps: ProcessDeps,
  drafts: readonly InvoiceDraft[],
): Promise<CurrentInvoices> {
  const { odoo } = deps;
  const existing = await externalIds(odoo).resolve(drafts.map((d) => d.xmlid));
  const existingIds = drafts.flatMap((d) => {
    const found = existing.get(d.xmlid);
    return found && found.model === 'account.move' ? [found.id] : [];
  });
  const moves = new Map(
    (await odoo.read<MoveRow>('account.move', existingIds, HEADER_FIELDS)).map((m) => [m.id, m]),
  );
  const lines = existingIds.length
    ? await odoo.searchRead<LineRow>('account.move.line', productLinesDomain(existingIds), [
        'move_id',
        'product_id',
        'name',
        'quantity',
        'price_unit',
        'tax_ids',
      ])
    : [];
  return {
    moveOf: (draft) => {
      const found = existing.get(draft.xmlid);
      return found ? moves.get(found.id) : undefined;
    },
    linesOf: (moveId) => lines.filter((l) => l.move_id[0] === moveId),
  };
}

/** What to do with each invoice: create it, rewrite a draft that differs, or leave it (and say why). */
export interface InvoiceDecisions {
  toCreate: DesiredInvoice[];
  toUpdate: Array<DesiredInvoice & { move: MoveRow }>;
  /** Invoices left as they are (posted, cancelled, unchanged) or, in a dry run, what would happen. */
  results: InvoiceResult[];
}

/**
 * Posted and cancelled invoices are never touched; a draft is rewritten only when its header or
 * lines differ from the desired ones; a dry run only says what would happen.
 */
export function decideInvoices(
  desired: readonly DesiredInvoice[],
  current: CurrentInvoices,
  taxIds: readonly number[],
  dryRun: boolean,
): InvoiceDecisions {
  const decisions: InvoiceDecisions = { toCreate: [], toUpdate: [], results: [] };
  for (const invoice of desired) {
    const { draft } = invoice;
    const move = current.moveOf(draft);
    if (!move) {
      if (dryRun) decisions.results.push(resultOf(draft, 'would create'));
      else decisions.toCreate.push(invoice);
      continue;
    }
    if (move.state !== 'draft') {
      const outcome = move.state === 'cancel' ? 'left cancelled' : 'left posted';
      decisions.results.push(
        resultOf(draft, outcome, { odooId: move.id, odooKopecks: toKopecks(move.amount_untaxed) }),
      );
      continue;
    }
    const sameLines = sameLineSet(invoice.lines, current.linesOf(move.id), taxIds);
    if (sameHeader(move, invoice.header) && sameLines)
      decisions.results.push(
        resultOf(draft, 'unchanged', { odooId: move.id, odooKopecks: toKopecks(move.amount_untaxed) }),
      );
    else if (dryRun) decisions.results.push(resultOf(draft, 'would update', { odooId: move.id }));
    else decisions.toUpdate.push({ ...invoice, move });
  }
  return decisions;
}
