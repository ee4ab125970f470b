import { ConfigError } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';

/**
 * INVOICE_TAX_IDS must name active SALE taxes of the run's company: a purchase tax, another
 * company's tax or a missing id would land on every draft. One rule for `check` (which reports it)
 * and every command that writes or compares invoices (which refuse to start: exit 2).
 */
export async function taxProblems(
  odoo: OdooClient,
  ids: readonly number[],
  company: { id: number; name: string } | undefined,
): Promise<{ problems: string[]; names: Map<number, string> }> {
  const taxes = await odoo.searchRead<{
    id: number;
    name: string;
    type_tax_use: string;
    company_id: [number, string] | false;
  }>('account.tax', [['id', 'in', [...ids]]], ['name', 'type_tax_use', 'company_id']);
  const byId = new Map(taxes.map((t) => [t.id, t]));
  const problems: string[] = [];
  for (const id of ids) {
    const tax = byId.get(id);
    if (!tax) {
      problems.push(`${id}: no such active tax (or ${odoo.config.user} may not read it)`);
      continue;
    }
    if (tax.type_tax_use !== 'sale')
      problems.push(`${id} (${tax.name}) is a ${tax.type_tax_use} tax, not a sale tax`);
    const taxCompany = Array.isArray(tax.company_id) ? tax.company_id[0] : undefined;
    if (company && taxCompany !== undefined && taxCompany !== company.id) {
      problems.push(
        `${id} (${tax.name}) belongs to ${Array.isArray(tax.company_id) ? tax.company_id[1] : '?'}, not ${company.name}`,
      );
    }
  }
  return { problems, names: new Map(taxes.map((t) => [t.id, t.name])) };
}

export const TAX_ADVICE =
  'Name sale taxes of the company (Invoicing → Configuration → Taxes, Tax Type "Sales"), or leave it empty for no tax.';

/** Refuses to go on (ConfigError, exit 2) when INVOICE_TAX_IDS names anything but the company's sale taxes. */
export async function requireSaleTaxes(
  odoo: OdooClient,
  ids: readonly number[],
  company: { id: number; name: string },
): Promise<void> {
  if (ids.length === 0) return;
  const { problems } = await taxProblems(odoo, ids, company);
  if (problems.length > 0) throw new ConfigError([`INVOICE_TAX_IDS: ${problems.join('; ')}. ${TAX_ADVICE}`]);
}
