import { toInvoiceHeader, toInvoiceLineValues } from '../../mappings/invoice-values.ts';
import type { FailedRecord, ProcessDeps } from './deps.ts';
import type { InvoiceDraft, InvoiceResult } from './invoice-types.ts';
import type { OdooRefs } from './odoo-refs.ts';
import { annotateInvoices } from './write-invoices/annotate.ts';
import {
  type DesiredInvoice,
  decideInvoices,
  readCurrentInvoices,
  readMoves,
} from './write-invoices/decide.ts';
import type { WriteOutcomes } from './write-invoices/outcomes.ts';
import { totalField, verifyTotals } from './write-invoices/verify.ts';
import { writeDecidedInvoices } from './write-invoices/write.ts';

interface WriteOptions {
  period: string;
  dryRun: boolean;
  /** Rewrite drafts an accountant changed in Odoo since the connector wrote them. */
  force: boolean;
  refs: OdooRefs;
}

/**
 * Writes the drafts, in five phases (one file each under `write-invoices/`):
 * - map: each draft's header and line values (`mappings/invoice-values.ts`);
 * - decide: against what Odoo holds — create, rewrite a draft that differs or whose total is not
 *   RCP's, leave posted and cancelled invoices alone, and drafts an accountant edited (unless forced);
 * - write: new headers through `load()` (one call for many), then lines; a draft's rewrite is one
 *   `write` (header and lines together), so what Odoo refuses leaves the old draft intact;
 * - verify: every written invoice read back and its amount compared with the connector's, to the kopeck;
 * - annotate: one chatter note per invoice (updated), the usage detail CSV with the connector's mark.
 */
export async function writeInvoices(
  deps: ProcessDeps,
  drafts: readonly InvoiceDraft[],
  options: WriteOptions,
): Promise<{ results: InvoiceResult[]; failed: FailedRecord[] }> {
  const out: WriteOutcomes = { results: [], failed: [] };
  if (drafts.length === 0) return out;
  const taxIds = [...deps.config.invoicing.taxIds].sort((a, b) => a - b);
  const desired = mapInvoices(deps, drafts, options, taxIds);

  const total = await totalField(deps, taxIds);
  const current = await readCurrentInvoices(deps, drafts);
  const decisions = decideInvoices(desired, current, {
    taxIds,
    totalField: total,
    dryRun: options.dryRun,
    force: options.force,
  });
  out.results.push(...decisions.results);
  out.failed.push(...decisions.failed);
  if (options.dryRun) return out;

  const written = await writeDecidedInvoices(deps, decisions, out, { claimed: false });
  const marked = [...written, ...decisions.toMark];
  const held = await readMoves(
    deps.odoo,
    marked.map((w) => w.id),
  );
  const verified = verifyTotals(written, held.move, total, out);
  await annotateInvoices(deps, held, marked, [...verified, ...decisions.toMark], options.period);
  return out;
}

function mapInvoices(
  deps: ProcessDeps,
  drafts: readonly InvoiceDraft[],
  options: WriteOptions,
  taxIds: readonly number[],
): DesiredInvoice[] {
  const rules = {
    invoiceDate: deps.config.invoicing.invoiceDate,
    paymentTermPrepay: options.refs.paymentTermPrepay,
    paymentTermPostpay: options.refs.paymentTermPostpay,
  };
  return drafts.map((draft) => ({
    draft,
    header: toInvoiceHeader(options.period, draft.unit, draft.partnerId, rules),
    lines: toInvoiceLineValues(draft.plan, draft.productIds, taxIds),
  }));
}
