import type { Methods } from './methods.ts';
import type { Orm } from './orm.ts';
import { seedWorkspace } from './workspace.ts';

/**
 * A fresh database as the recordings had it: `account` installed, no demo data, generic chart,
 * company currency RUB, a 15% default sale tax (the trap), standard payment terms and units.
 */
const today = () => new Date().toISOString().slice(0, 10);

/** What a record gets when the caller gives no value (Odoo's field defaults), per model. */
export const DEFAULTS: Record<
  string,
  (orm: Orm, values: Record<string, unknown>) => Record<string, unknown>
> = {
  'res.partner': (orm) => ({
    active: true,
    type: 'contact',
    is_company: false,
    company_id: false,
    ...(orm.version === '17' ? {} : { autopost_bills: 'ask' }),
  }),
  'mail.message': () => ({ message_type: 'comment' }),
  'account.payment.term': () => ({ sequence: 10, active: true }),
  'res.partner.category': () => ({ active: true }),
  'product.product': (orm) => productDefaults(orm),
  'product.template': (orm) => productDefaults(orm),
  'product.pricelist': (orm) => ({
    active: true,
    currency_id: 1,
    ...(orm.version === '17' ? { discount_policy: 'with_discount' } : {}),
  }),
  'product.pricelist.item': (orm) => ({
    applied_on: '3_global',
    base: 'list_price',
    compute_price: 'fixed',
    min_quantity: 0,
    ...(orm.version === '17' ? {} : { display_applied_on: '1_product' }),
  }),
  'uom.uom': (orm) =>
    orm.version === '19'
      ? { relative_factor: 1, active: true }
      : { factor: 1, rounding: 0.01, uom_type: 'reference', active: true },
  'account.move': () => ({
    move_type: 'entry',
    state: 'draft',
    payment_state: 'not_paid',
    auto_post: 'no',
    currency_id: 1,
    date: today(),
    journal_id: 1,
    name: false,
  }),
  'account.move.line': () => ({ currency_id: 1, display_type: 'product' }),
  'ir.model.data': () => ({ noupdate: false }),
  'ir.attachment': () => ({ type: 'binary' }),
  'account.payment': () => ({ currency_id: 1, company_id: 1 }),
};

function productDefaults(orm: Orm): Record<string, unknown> {
  return {
    active: true,
    sale_ok: true,
    purchase_ok: true,
    categ_id: 1,
    uom_id: 1,
    ...(orm.version === '19' ? {} : { uom_po_id: 1 }),
    ...(orm.version === '17'
      ? { detailed_type: 'consu', type: 'consu' }
      : { type: 'consu', service_tracking: 'no' }),
    // The company's default sale tax, added when none is given.
    taxes_id: [1],
    // Odoo's default sales price.
    list_price: 1,
  };
}

export function seed(orm: Orm, methods: Methods): void {
  const xmlid = (full: string, model: string, id: number) => {
    const [module, name] = full.split(/\.(.*)/s) as [string, string];
    orm.insert('ir.model.data', { module, name, model, res_id: id, noupdate: true });
  };
  const currency = orm.insert('res.currency', {
    name: 'RUB',
    symbol: '₽',
    active: true,
    rounding: 0.01,
    decimal_places: 2,
  });
  xmlid('base.RUB', 'res.currency', currency);
  const companyPartner = orm.insert('res.partner', {
    name: 'My Company',
    is_company: true,
    active: true,
    type: 'contact',
  });
  const company = orm.insert('res.company', {
    name: 'My Company',
    currency_id: currency,
    partner_id: companyPartner,
  });
  xmlid('base.main_company', 'res.company', company);
  orm.insert('res.partner', { name: 'Administrator', active: true, type: 'contact' });
  orm.insert('res.users', { login: '__system__', name: 'OdooBot', company_id: company, active: false });
  orm.insert('res.users', { login: 'admin', name: 'Administrator', company_id: company, active: true });
  for (let i = 3; i < 7; i++)
    orm.insert('res.users', {
      login: `placeholder${i}`,
      name: 'Placeholder',
      company_id: company,
      active: false,
    });
  orm.insert('res.users', {
    login: 'rcp_integration',
    name: 'RCP Integration',
    company_id: company,
    active: true,
  });
  orm.insert('account.journal', {
    name: 'Customer Invoices',
    code: 'INV',
    type: 'sale',
    company_id: company,
  });
  orm.insert('account.journal', { name: 'Bank', code: 'BNK1', type: 'bank', company_id: company });
  orm.insert('account.tax', {
    name: '15%',
    amount: 15,
    amount_type: 'percent',
    type_tax_use: 'sale',
    price_include: false,
    company_id: company,
  });
  orm.insert('account.tax', {
    name: '20% incl.',
    amount: 20,
    amount_type: 'percent',
    type_tax_use: 'sale',
    price_include: true,
    company_id: company,
  });
  const terms: Array<[string, string]> = [
    ['immediate', 'Immediate Payment'],
    ['15days', '15 Days'],
    ['21days', '21 Days'],
    ['30days', '30 Days'],
    ['45days', '45 Days'],
  ];
  for (const [key, name] of terms)
    xmlid(
      `account.account_payment_term_${key}`,
      'account.payment.term',
      orm.insert('account.payment.term', { name, active: true }),
    );
  if (orm.version === '19') {
    // 19 ships three categories and no "All".
    for (const [key, name] of [
      ['goods', 'Goods'],
      ['expenses', 'Expenses'],
      ['services', 'Services'],
    ] as const) {
      xmlid(`product.product_category_${key}`, 'product.category', orm.insert('product.category', { name }));
    }
  } else
    xmlid(
      'product.product_category_all',
      'product.category',
      orm.insert('product.category', { name: 'All' }),
    );
  if (orm.version !== '19') orm.insert('uom.category', { name: 'Unit' });
  const unitValues =
    orm.version === '19'
      ? { name: 'Units', relative_factor: 1, active: true }
      : { name: 'Units', category_id: 1, factor: 1, rounding: 0.01, uom_type: 'reference', active: true };
  xmlid('uom.product_uom_unit', 'uom.uom', orm.insert('uom.uom', unitValues));
  orm.insert('decimal.precision', { name: 'Product Price', digits: 2 });
  xmlid(
    'mail.mt_note',
    'mail.message.subtype',
    orm.insert('mail.message.subtype', { name: 'Note', internal: true }),
  );
  orm.insert('decimal.precision', {
    name: orm.version === '19' ? 'Product Unit' : 'Product Unit of Measure',
    digits: 2,
  });
  // As if `rcp-odoo setup` had run: the payments ledger and its server action.
  seedWorkspace(orm);
  void methods;
}
