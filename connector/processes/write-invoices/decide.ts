import { z } from 'zod';
import type { DraftSettings, WantedSettings } from '../../../mappings/draft-changes.ts';
import { type InvoiceTotalField, invoiceTotalKopecks } from '../../../mappings/invoice-total.ts';
import {
  type InvoiceHeader,
  type InvoiceLineValues,
  type MoveHeaderRow,
  type MoveLineRow,
  USAGE_ATTACHMENT_PREFIX,
  type WriterMark,
  invoiceFingerprint,
  sameHeader,
  sameLineSet,
  writerMarkJson,
} from '../../../mappings/invoice-values.ts';
import type { FailedRecord, ProcessDeps } from '../../deps.ts';
import type { OdooClient, OdooRecord } from '../../odoo/client.ts';
import { externalIds } from '../../odoo/external-ids.ts';
import { type DraftMark, readDraftMarks } from '../../workspace/draft-marks.ts';
import type { InvoiceDraft, InvoiceResult } from '../invoice-types.ts';
import { recordOf, resultOf } from './outcomes.ts';

/** One invoice as the connector wants it in Odoo: mapped once, used by every phase. */
export interface DesiredInvoice {
  draft: InvoiceDraft;
  header: InvoiceHeader;
  lines: InvoiceLineValues[];
}

export interface MoveRow extends OdooRecord, MoveHeaderRow {
  state: string;
  currency_id: [number, string] | false;
  amount_untaxed: number;
  amount_total: number;
  journal_id: [number, string] | false;
}

export interface LineRow extends OdooRecord, MoveLineRow {
  move_id: [number, string];
  display_type: string;
}

/** The total Odoo must agree with RCP on: `amount_total` when every configured tax is price-included. */
export type TotalField = InvoiceTotalField;

const HEADER_FIELDS = [
  'state',
  'partner_id',
  'invoice_date',
  'ref',
  'invoice_origin',
  'invoice_payment_term_id',
  'amount_untaxed',
  'amount_total',
  'currency_id',
  'journal_id',
];
const LINE_FIELDS = ['move_id', 'display_type', 'product_id', 'name', 'quantity', 'price_unit', 'tax_ids'];
/** The lines a person sees and edits on an invoice: products, sections and notes. */
const INVOICE_LINE_TYPES = ['product', 'line_section', 'line_note'];

/** The connector's usage attachment on an invoice, which carries its mark of the last write. */
export interface UsageAttachment {
  id: number;
  moveId: number;
  mark: WriterMark | undefined;
}

/** What Odoo holds for the drafts: their invoices (found by external ID), product lines and marks. */
export interface CurrentInvoices {
  moveOf(draft: InvoiceDraft): MoveRow | undefined;
  /** Product lines. */
  linesOf(moveId: number): LineRow[];
  /** Every line a person sees: products, sections and notes (what the fingerprint covers). */
  invoiceLinesOf(moveId: number): LineRow[];
  attachmentsOf(moveId: number): UsageAttachment[];
  /**
   * With the workspace: the connector's mark of each draft in Odoo (`x_rcp_draft_mark`), and whether
   * an accountant edited the draft since. Undefined without the workspace (the CSV's mark is used).
   */
  draftMarks?: ReadonlyMap<number, DraftMark> | undefined;
}

export async function readCurrentInvoices(
  deps: ProcessDeps,
  drafts: readonly InvoiceDraft[],
  workspace = false,
): Promise<CurrentInvoices> {
  const existing = await externalIds(deps.odoo).resolve(drafts.map((d) => d.xmlid));
  const ids = drafts.flatMap((d) => {
    const found = existing.get(d.xmlid);
    return found && found.model === 'account.move' ? [found.id] : [];
  });
  const held = await readMoves(deps.odoo, ids);
  return {
    ...held,
    ...(workspace ? { draftMarks: await readDraftMarks(deps.odoo, ids) } : {}),
    moveOf: (draft) => {
      const found = existing.get(draft.xmlid);
      return found ? held.move(found.id) : undefined;
    },
  };
}

/** Invoices by id with their product lines and the connector's usage attachments: three calls. */
export async function readMoves(odoo: OdooClient, ids: readonly number[]) {
  const moves = new Map((await odoo.read<MoveRow>('account.move', ids, HEADER_FIELDS)).map((m) => [m.id, m]));
  const lines = ids.length
    ? await odoo.searchRead<LineRow>(
        'account.move.line',
        [
          ['move_id', 'in', [...ids]],
          ['display_type', 'in', INVOICE_LINE_TYPES],
        ],
        LINE_FIELDS,
      )
    : [];
  const attachments = ids.length
    ? await odoo.searchRead<{ id: number; res_id: number; description: string | false }>(
        'ir.attachment',
        [
          ['res_model', '=', 'account.move'],
          ['res_id', 'in', [...ids]],
          ['name', '=like', `${USAGE_ATTACHMENT_PREFIX}%`],
        ],
        ['res_id', 'description'],
      )
    : [];
  const linesByMove = groupBy(lines, (l) => l.move_id[0]);
  const attachmentsByMove = groupBy(
    attachments.map((a) => ({ id: a.id, moveId: a.res_id, mark: parseMark(a.description) })),
    (a) => a.moveId,
  );
  return {
    move: (id: number) => moves.get(id),
    linesOf: (moveId: number) => (linesByMove.get(moveId) ?? []).filter((l) => l.display_type === 'product'),
    invoiceLinesOf: (moveId: number) => linesByMove.get(moveId) ?? [],
    attachmentsOf: (moveId: number) => attachmentsByMove.get(moveId) ?? [],
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const Mark = z.object({ fingerprint: z.string().min(1), noteId: z.number().int().positive().optional() });

/** A mark someone broke by hand counts as no mark (that draft is treated as an older connector's). */
function parseMark(description: string | false): WriterMark | undefined {
  const json = writerMarkJson(description);
  if (json === undefined) return undefined;
  try {
    const parsed = Mark.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The connector's last mark on an invoice (the newest of its usage attachments that has one). */
export function markOf(
  current: Pick<CurrentInvoices, 'attachmentsOf'>,
  moveId: number,
): WriterMark | undefined {
  return current
    .attachmentsOf(moveId)
    .filter((a) => a.mark)
    .sort((a, b) => b.id - a.id)[0]?.mark;
}

/** What to do with each invoice: create it, rewrite a draft, or leave it (and say why). */
export interface InvoiceDecisions {
  toCreate: DesiredInvoice[];
  toUpdate: Array<DesiredInvoice & { move: MoveRow }>;
  /**
   * Drafts left as they are that carry no mark of the connector yet (made by an older version), or
   * whose note and usage CSV are older than their last write: mark them, bring those up to date.
   */
  toMark: Array<{ draft: InvoiceDraft; id: number }>;
  /**
   * With the workspace, drafts an accountant edited while their mark was still the CSV's: their
   * mark moves into Odoo saying so (kept edited even if the CSV is deleted).
   */
  editedBefore: Array<{ id: number; noteId: number | undefined }>;
  /** Drafts left as they are because they are right. */
  unchanged: Array<{ draft: InvoiceDraft; id: number }>;
  /** Invoices left as they are (posted, cancelled, unchanged, edited) or, in a dry run, what would happen. */
  results: InvoiceResult[];
  failed: FailedRecord[];
  /** Drafts to rewrite (or, in a dry run, that would be): their settings as held and as wanted. */
  settings: Array<{ moveId: number; held: DraftSettings; wanted: WantedSettings }>;
}

export interface DecideOptions {
  taxIds: readonly number[];
  /** INVOICE_JOURNAL_ID: a draft in another journal is moved; none configured leaves Odoo's. */
  journalId: number | undefined;
  totalField: TotalField;
  dryRun: boolean;
  /** Rewrite drafts an accountant changed in Odoo since the connector wrote them. */
  force: boolean;
}

/**
 * Posted and cancelled invoices are never touched. A draft is left alone only when its header and
 * lines are the desired ones AND Odoo's total is RCP's to the kopeck (so a wrong draft is rewritten,
 * or reported, on every run until it matches). A draft changed in Odoo since the connector wrote it
 * is not rewritten unless forced: it is reported. A dry run only says what would happen.
 */
export function decideInvoices(
  desired: readonly DesiredInvoice[],
  current: CurrentInvoices,
  options: DecideOptions,
): InvoiceDecisions {
  const decisions: InvoiceDecisions = {
    toCreate: [],
    toUpdate: [],
    toMark: [],
    editedBefore: [],
    unchanged: [],
    results: [],
    failed: [],
    settings: [],
  };
  for (const invoice of desired) {
    const { draft } = invoice;
    const move = current.moveOf(draft);
    if (!move) {
      if (options.dryRun) decisions.results.push(resultOf(draft, 'would create'));
      else decisions.toCreate.push(invoice);
      continue;
    }
    const odooKopecks = invoiceTotalKopecks(move, options.totalField);
    if (move.state !== 'draft') {
      const outcome = move.state === 'cancel' ? 'left cancelled' : 'left posted';
      decisions.results.push(resultOf(draft, outcome, { odooId: move.id, odooKopecks }));
      continue;
    }
    const lines = current.linesOf(move.id);
    // A section or note a person added makes the draft differ too (and shows as their edit).
    const journalId = move.journal_id ? move.journal_id[0] : undefined;
    const same =
      sameHeader(move, invoice.header) &&
      (options.journalId === undefined || journalId === options.journalId) &&
      lines.length === current.invoiceLinesOf(move.id).length &&
      sameLineSet(invoice.lines, lines, options.taxIds);
    const totalRight = odooKopecks === draft.plan.totalKopecks;
    // The mark in Odoo (with the workspace) decides; the CSV's mark only until it is carried over.
    const inOdoo = current.draftMarks?.get(move.id);
    const legacy = markOf(current, move.id);
    const legacyEdited =
      legacy !== undefined &&
      legacy.fingerprint !== invoiceFingerprint(move, current.invoiceLinesOf(move.id));
    const marked = current.draftMarks ? inOdoo !== undefined : legacy !== undefined;
    if (same && totalRight) {
      decisions.results.push(resultOf(draft, 'unchanged', { odooId: move.id, odooKopecks }));
      decisions.unchanged.push({ draft, id: move.id });
      // A draft written (its mark in Odoo renewed) by a run that stopped, or was taken over, before
      // its note and usage CSV followed: they still describe the draft before that write.
      const annotationBehind = inOdoo !== undefined && !inOdoo.edited && legacyEdited;
      if ((!marked || annotationBehind) && !options.dryRun) decisions.toMark.push({ draft, id: move.id });
      continue;
    }
    const edited = inOdoo ? inOdoo.edited : legacyEdited;
    if (edited && !options.force) {
      if (current.draftMarks && !inOdoo && !options.dryRun)
        decisions.editedBefore.push({ id: move.id, noteId: legacy?.noteId });
      const error = `the draft was changed in Odoo since the connector wrote it: not overwritten (Odoo ${options.totalField} ${odooKopecks / 100}, RCP ${draft.plan.totalKopecks / 100}); review it, or run again with --force to replace it`;
      decisions.failed.push({ kind: 'invoice', record: recordOf(draft), error });
      decisions.results.push(resultOf(draft, 'left edited', { odooId: move.id, odooKopecks, error }));
      continue;
    }
    decisions.settings.push({
      moveId: move.id,
      held: { lineTaxIds: lines.map((l) => l.tax_ids), journalId, invoiceDate: move.invoice_date },
      wanted: {
        taxIds: options.taxIds,
        journalId: options.journalId,
        invoiceDate: invoice.header.invoiceDate,
      },
    });
    if (options.dryRun)
      decisions.results.push(resultOf(draft, 'would update', { odooId: move.id, odooKopecks }));
    else decisions.toUpdate.push({ ...invoice, move });
  }
  return decisions;
}
