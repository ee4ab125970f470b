/**
 * What `check` says about the printed documents (documents.ts): whether setup made them, whether
 * Odoo can make PDFs (wkhtmltopdf on the Odoo server), and every requisite the forms print that is
 * missing, named with where to enter it. Reading is here; deciding what is missing is pure.
 */
import type { OdooClient, OdooRecord } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';
import { externalIds } from '../odoo/external-ids.ts';
import { ALL_DOCUMENTS } from './documents.ts';
import { fullXmlid } from './items.ts';

export interface CompanyRequisites {
  name: string;
  vat: string | false;
  kpp: string | false;
  address: string;
  director: string | false;
  chiefAccountant: string | false;
  /** ОГРН (organisation) or ОГРНИП (entrepreneur). */
  ogrn: string | false;
  /** The company's ЭДО participant id (setup's field; EDO_SELLER_ID stands in when it is empty). */
  edoId: string | false;
  bank:
    | { account: string | false; bankName: string | false; bic: string | false; corrAccount: string | false }
    | undefined;
}

export interface BuyerRequisites {
  name: string;
  vat: string | false;
  kpp: string | false;
  address: string;
  contractNumber: string | false;
  contractDate: string | false;
  edoId: string | false;
}

const COMPANY_FORM = 'Settings → Companies → (the company)';
const BANK_FORM = 'Contacts → Configuration → Bank Accounts / Banks';

/** Each missing requisite of the provider's company, with where to enter it. */
export function missingCompanyRequisites(c: CompanyRequisites): string[] {
  const out: string[] = [];
  if (!c.vat) out.push(`ИНН (Tax ID, ${COMPANY_FORM})`);
  // An individual entrepreneur (12-digit ИНН) has no КПП; an organisation (10 digits) has one.
  if (!c.kpp && String(c.vat || '').replace(/\D/g, '').length !== 12) out.push(`КПП (${COMPANY_FORM})`);
  if (!c.address) out.push(`address (${COMPANY_FORM})`);
  if (!c.director) out.push(`Руководитель (${COMPANY_FORM})`);
  if (!c.chiefAccountant) out.push(`Главный бухгалтер (${COMPANY_FORM})`);
  if (!c.ogrn) out.push(`ОГРН / ОГРНИП (${COMPANY_FORM})`);
  if (!c.bank) {
    out.push(`a bank account of the company (${COMPANY_FORM} → Bank Accounts, or ${BANK_FORM})`);
  } else {
    if (!c.bank.account) out.push(`the bank account number (${BANK_FORM})`);
    if (!c.bank.bankName) out.push(`the bank of the account (${BANK_FORM})`);
    if (!c.bank.bic) out.push(`БИК of the bank (${BANK_FORM})`);
    if (!c.bank.corrAccount) out.push(`Корр. счёт of the bank (${BANK_FORM})`);
  }
  return out;
}

/** "ООО Ромашка: ИНН, КПП" for each invoiced company lacking what the VAT invoice prints. */
export function missingBuyerRequisites(buyers: readonly BuyerRequisites[]): string[] {
  const out: string[] = [];
  for (const b of buyers) {
    const missing: string[] = [];
    if (!b.vat) missing.push('ИНН');
    if (!b.kpp && String(b.vat || '').replace(/\D/g, '').length !== 12) missing.push('КПП');
    if (!b.address) missing.push('address');
    if (!b.contractNumber || !b.contractDate) missing.push('Договор: номер и дата (the basis on the act)');
    if (missing.length > 0) out.push(`${b.name}: ${missing.join(', ')}`);
  }
  return out;
}

/** What the УПД files (ЭДО) need beyond the printed documents: the participant ids of both sides. */
export function missingEdoRequisites(
  company: Pick<CompanyRequisites, 'name' | 'edoId'>,
  sellerIdFromEnv: string | undefined,
  buyers: readonly BuyerRequisites[],
): string[] {
  const out: string[] = [];
  if (!company.edoId && !sellerIdFromEnv)
    out.push(`${company.name}: ЭДО: идентификатор участника (${COMPANY_FORM}, or EDO_SELLER_ID in .env)`);
  for (const b of buyers)
    if (!b.edoId) out.push(`${b.name}: ЭДО: идентификатор участника (Contacts → the company)`);
  return out;
}

/** What Odoo answers for wkhtmltopdf ('ok', 'install', 'upgrade', 'workers', 'broken'). */
export async function wkhtmltopdfState(odoo: OdooClient): Promise<string> {
  return odoo.call<string>({ model: 'ir.actions.report', method: 'get_wkhtmltopdf_state', params: [] });
}

interface PartnerRow extends OdooRecord {
  name: string;
  vat: string | false;
  x_rcp_kpp?: string | false;
  x_rcp_contract_number?: string | false;
  x_rcp_contract_date?: string | false;
  x_rcp_edo_id?: string | false;
  street: string | false;
  city: string | false;
  zip: string | false;
}
const PARTNER_FIELDS = [
  'name',
  'vat',
  'x_rcp_kpp',
  'x_rcp_contract_number',
  'x_rcp_contract_date',
  'x_rcp_edo_id',
  'street',
  'city',
  'zip',
];
const addressOf = (p: PartnerRow) => [p.zip, p.city, p.street].filter(Boolean).join(', ');

export async function readCompanyRequisites(odoo: OdooClient, companyId: number): Promise<CompanyRequisites> {
  const [company] = await odoo.read<{
    id: number;
    name: string;
    partner_id: [number, string];
    x_rcp_kpp: string | false;
    x_rcp_director: string | false;
    x_rcp_chief_accountant: string | false;
    x_rcp_ogrn: string | false;
    x_rcp_edo_id: string | false;
  }>(
    'res.company',
    [companyId],
    [
      'name',
      'partner_id',
      'x_rcp_kpp',
      'x_rcp_director',
      'x_rcp_chief_accountant',
      'x_rcp_ogrn',
      'x_rcp_edo_id',
    ],
  );
  if (!company) throw new Error(`company ${companyId} cannot be read`);
  const [partner] = await odoo.read<PartnerRow>('res.partner', [company.partner_id[0]], PARTNER_FIELDS);
  const [account] = await odoo.searchRead<
    OdooRecord & { acc_number: string | false; bank_id: [number, string] | false }
  >('res.partner.bank', [['partner_id', '=', company.partner_id[0]]], ['acc_number', 'bank_id'], {
    limit: 1,
  });
  let bank: CompanyRequisites['bank'];
  if (account) {
    const [b] = account.bank_id
      ? await odoo.read<OdooRecord & { bic: string | false; x_rcp_corr_account: string | false }>(
          'res.bank',
          [account.bank_id[0]],
          ['bic', 'x_rcp_corr_account'],
        )
      : [];
    bank = {
      account: account.acc_number,
      bankName: account.bank_id ? account.bank_id[1] : false,
      bic: b?.bic ?? false,
      corrAccount: b?.x_rcp_corr_account ?? false,
    };
  }
  return {
    name: company.name,
    vat: partner?.vat ?? false,
    kpp: company.x_rcp_kpp,
    address: partner ? addressOf(partner) : '',
    director: company.x_rcp_director,
    chiefAccountant: company.x_rcp_chief_accountant,
    ogrn: company.x_rcp_ogrn,
    edoId: company.x_rcp_edo_id,
    bank,
  };
}

/** The companies of the latest RCP invoices (those the documents are printed for). */
export async function readBuyerRequisites(odoo: OdooClient): Promise<BuyerRequisites[]> {
  const moves = await odoo.searchRead<OdooRecord & { partner_id: [number, string] | false }>(
    'account.move',
    [
      ['move_type', '=', 'out_invoice'],
      ['ref', '=like', 'RCP %'],
    ],
    ['partner_id'],
    { limit: 500, order: 'id desc' },
  );
  const ids = [...new Set(moves.flatMap((m) => (m.partner_id ? [m.partner_id[0]] : [])))];
  if (ids.length === 0) return [];
  const partners = await odoo.read<PartnerRow>('res.partner', ids, PARTNER_FIELDS);
  return partners.map((p) => ({
    name: p.name,
    vat: p.vat,
    kpp: p.x_rcp_kpp ?? false,
    address: addressOf(p),
    contractNumber: p.x_rcp_contract_number ?? false,
    contractDate: p.x_rcp_contract_date ?? false,
    edoId: p.x_rcp_edo_id ?? false,
  }));
}

/** Whether setup made the documents (their report actions exist). */
export async function documentsInstalled(odoo: OdooClient): Promise<boolean> {
  const names = ALL_DOCUMENTS.map((d) => fullXmlid(d.action));
  const found = await externalIds(odoo).resolve(names);
  return names.every((n) => found.has(n));
}

export function isAccessError(error: unknown): boolean {
  return error instanceof OdooError && error.kind === 'access';
}
