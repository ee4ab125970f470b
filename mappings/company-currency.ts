/**
 * RCP bills in one currency (`COMPANY_CURRENCY`, RUB by default) and the Odoo company must keep its
 * books in it, or every invoice would carry RCP's amounts in another money. What is wrong, with the
 * fix, or undefined when the company is right. `check` reports it; `setup` refuses on it.
 */
export function companyCurrencyProblem(
  company: { name: string; currency: string },
  expected: string,
): string | undefined {
  if (company.currency === expected) return undefined;
  const have = company.currency || '(none)';
  return `the company "${company.name}" keeps its books in ${have}, but RCP bills in ${expected}: set the company currency to ${expected} (Accounting → Configuration → Settings → Currency; Odoo allows it while the company has no journal entries), or set COMPANY_CURRENCY=${have} if RCP really bills in ${have}`;
}
