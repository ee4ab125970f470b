import { toInvoiceHeader, toInvoiceLineValues } from '../../mappings/invoice-values.ts';
import type { FailedRecord, ProcessDeps } from './deps.ts';
import type { InvoiceDraft, InvoiceResult } from './invoice-types.ts';
import type { OdooRefs } from './odoo-refs.ts';
import { annotateInvoices } from './write-invoices/annotate.ts';
import { type DesiredInvoice, decideInvoices, readCurrentInvoices } from './write-invoices/decide.ts';
import type { WriteOutcomes } from './write-invoices/outcomes.ts';
import { verifyTotals } from './write-invoices/verify.ts';
import { writeDecidedInvoices } from './write-invoices/write.ts';

interface WriteOptions {
  period: string;
  dryRun: boolean;
  refs: OdooRefs;
}

/**
 * Writes the drafts, in five phases (one file each under `write-invoices/`):
 * - map: each draft's header and line values (`mappings/invoice-values.ts`);
 * - decide: against what Odoo holds — create, rewrite a draft that differs, leave posted and
 *   cancelled invoices alone;
 * - write: headers through `load()` (one call for many), then the lines in bulk;
 * - verify: every written invoice read back and its amount compared with the connector's, to the kopeck;
 * - annotate: the usage detail CSV and a chatter note.
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

  const current = await readCurrentInvoices(deps, drafts);
  const decisions = decideInvoices(desired, current, taxIds, options.dryRun);
  out.results.push(...decisions.results);
  if (options.dryRun) return out;

  const written = await writeDecidedInvoices(deps, decisions, current, out);
  const verified = await verifyTotals(deps, written, taxIds, out);
  await annotateInvoices(deps, written, verified, options.period);
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
    header: toInvoiceHeader(options.period, draft.counterparty, draft.partnerId, rules),
    lines: toInvoiceLineValues(draft.plan, draft.productIds, taxIds),
  }));
}
