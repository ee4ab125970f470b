import type { InvoicePlan } from '../../mappings/invoice-lines.ts';
import type { InvoicedCounterparty } from '../../mappings/invoiced-counterparties.ts';

/**
 * What the invoice process and its writer share, in a module neither of them is, so that the
 * writer never imports the process that calls it.
 */

export type InvoiceOutcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'would create'
  | 'would update'
  | 'left posted'
  | 'left cancelled'
  | 'left edited'
  | 'no usage'
  | 'failed';

export interface InvoiceResult {
  counterparty: string;
  kind: 'client' | 'partner';
  uuid: string;
  outcome: InvoiceOutcome;
  /** The connector's total, in kopecks. */
  totalKopecks: number;
  /** Odoo's untaxed amount after writing, in kopecks. */
  odooKopecks?: number;
  odooId?: number;
  lines: Array<{ label: string; quantity: number; priceUnit: number; amountKopecks: number }>;
  error?: string;
}

/** An invoiced counterparty ready to be written: its lines and the Odoo ids they need. */
export interface InvoiceDraft {
  counterparty: InvoicedCounterparty;
  xmlid: string;
  plan: InvoicePlan;
  partnerId: number;
  productIds: Map<string, number>;
}
