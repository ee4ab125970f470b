/**
 * The primary documents a Russian provider prints from each RCP invoice (process 5 of the spec):
 * Счёт на оплату, Акт оказанных услуг and Счёт-фактура (Постановление 1137, as amended), as
 * workspace items: QWeb templates (`ir.ui.view` of type qweb) and report actions bound to
 * `account.move`, so they sit in the invoice's Print menu. Every figure is read from the invoice
 * itself (its lines, `amount_untaxed`, `amount_tax`, `amount_total`), so a document always equals
 * the ledger; the total in words is a computed field on the invoice (`x_rcp_amount_words`, the
 * Python generated from mappings/amount-in-words.ts), recomputed from the invoice's own total on
 * every read, so it stays right when an accountant edits a draft.
 *
 * What Odoo does not hold (КПП, the signatories, the bank's correspondent account, ОКЕИ codes) are
 * fields setup adds, shown on Odoo's own forms; `check` names each one missing (documentsCheck in
 * connector/processes/check.ts). A missing value is printed as a red "не указано" note, never blank.
 *
 * Figures carry `data-rcp` attributes (line amounts, totals, VAT, words) so that a test — or anyone
 * scripting over the HTML report — reads them back without parsing the layout.
 */
import { amountInWordsPython } from '../../mappings/amount-in-words.ts';
import type { Capabilities } from '../odoo/capabilities.ts';
import { type ItemValue, type WorkspaceItem, ref } from './items.ts';

export const REPORT_PAYMENT_INVOICE = 'report_rcp_payment_invoice';
export const REPORT_ACT = 'report_rcp_act';
export const REPORT_VAT_INVOICE = 'report_rcp_vat_invoice';

/** The report actions, with their `report_name` (= their template's key) and Print-menu label. */
export const DOCUMENTS = [
  {
    action: 'action_report_payment_invoice',
    template: REPORT_PAYMENT_INVOICE,
    label: 'Счёт на оплату (RCP)',
  },
  { action: 'action_report_act', template: REPORT_ACT, label: 'Акт оказанных услуг (RCP)' },
  { action: 'action_report_vat_invoice', template: REPORT_VAT_INVOICE, label: 'Счёт-фактура (RCP)' },
] as const;

export const reportName = (template: string) => `rcp_connector.${template}`;

/** Fields the documents need that Odoo lacks, on Odoo's own models. */
interface ExtraField {
  model: string;
  modelXmlid: string;
  name: `x_rcp_${string}`;
  label: string;
  help: string;
  ttype?: 'char';
  related?: string;
}

export const DOCUMENT_FIELDS: readonly ExtraField[] = [
  {
    model: 'res.partner',
    modelXmlid: 'base.model_res_partner',
    name: 'x_rcp_kpp',
    label: 'КПП',
    help: 'Код причины постановки на учёт (9 цифр): printed on the RCP acts and VAT invoices.',
  },
  {
    model: 'res.company',
    modelXmlid: 'base.model_res_company',
    name: 'x_rcp_kpp',
    label: 'КПП',
    // Its own field, not related to the contact's: Odoo refuses to remove a field another depends
    // on, and `setup --remove` must take both away.
    help: "The company's КПП: printed on the RCP invoices for payment, acts and VAT invoices.",
  },
  {
    model: 'res.company',
    modelXmlid: 'base.model_res_company',
    name: 'x_rcp_director',
    label: 'Руководитель (Фамилия И.О.)',
    help: 'Signs the RCP documents as head of the organisation, e.g. "Иванов И.И.".',
  },
  {
    model: 'res.company',
    modelXmlid: 'base.model_res_company',
    name: 'x_rcp_chief_accountant',
    label: 'Главный бухгалтер (Фамилия И.О.)',
    help: 'Signs the RCP invoices for payment and VAT invoices as chief accountant.',
  },
  {
    model: 'res.bank',
    modelXmlid: 'base.model_res_bank',
    name: 'x_rcp_corr_account',
    label: 'Корр. счёт',
    help: "The bank's correspondent account (20 digits), printed on the RCP invoice for payment.",
  },
  {
    model: 'uom.uom',
    modelXmlid: 'uom.model_uom_uom',
    name: 'x_rcp_okei',
    label: 'Код ОКЕИ',
    help: 'The unit’s code in ОКЕИ (e.g. 2553 gigabyte), column 2 of the VAT invoice; "--" when empty.',
  },
];

export const AMOUNT_WORDS_FIELD = 'x_rcp_amount_words';

const fieldXmlid = (model: string, field: string) => `field_${model.replace(/\./g, '_')}__${field}`;

function fieldItems(): WorkspaceItem[] {
  const items: WorkspaceItem[] = DOCUMENT_FIELDS.map((f) => ({
    name: fieldXmlid(f.model, f.name),
    model: 'ir.model.fields',
    values: {
      model_id: ref(f.modelXmlid),
      model: f.model,
      name: f.name,
      ttype: f.ttype ?? 'char',
      field_description: f.label,
      help: f.help,
      required: false,
      readonly: false,
      ...(f.related ? { related: f.related, store: false } : {}),
    },
    key: ['model', 'name'],
    createOnly: ['model_id', 'model', 'name', 'ttype'],
  }));
  items.push({
    name: fieldXmlid('account.move', AMOUNT_WORDS_FIELD),
    model: 'ir.model.fields',
    values: {
      model_id: ref('account.model_account_move'),
      model: 'account.move',
      name: AMOUNT_WORDS_FIELD,
      ttype: 'char',
      field_description: 'Сумма прописью',
      help: 'The invoice total in Russian words, computed from the invoice itself on every read (RCP documents).',
      required: false,
      readonly: true,
      store: false,
      depends: 'amount_total',
      compute: amountInWordsPython(AMOUNT_WORDS_FIELD, 'amount_total'),
    },
    key: ['model', 'name'],
    createOnly: ['model_id', 'model', 'name', 'ttype'],
  });
  return items;
}

/** Where an administrator types the new values: Odoo's own forms, one field more each. */
function formItems(): WorkspaceItem[] {
  const form = (name: string, model: string, inherit: string, arch: string): WorkspaceItem => ({
    name,
    model: 'ir.ui.view',
    values: {
      name: `${model}.form.rcp_documents`,
      model,
      type: 'form',
      inherit_id: ref(inherit),
      mode: 'extension',
      priority: 99,
      arch,
    },
  });
  return [
    form(
      'view_partner_form_rcp_kpp',
      'res.partner',
      'base.view_partner_form',
      `<data><field name="vat" position="after"><field name="x_rcp_kpp"/></field></data>`,
    ),
    form(
      'view_company_form_rcp_documents',
      'res.company',
      'base.view_company_form',
      `<data><field name="vat" position="after"><field name="x_rcp_kpp"/><field name="x_rcp_director"/><field name="x_rcp_chief_accountant"/></field></data>`,
    ),
    form(
      'view_bank_form_rcp_corr_account',
      'res.bank',
      'base.view_res_bank_form',
      `<data><field name="bic" position="after"><field name="x_rcp_corr_account"/></field></data>`,
    ),
    form(
      'view_uom_form_rcp_okei',
      'uom.uom',
      'uom.product_uom_form_view',
      `<data><field name="name" position="after"><field name="x_rcp_okei"/></field></data>`,
    ),
  ];
}

function paperformatItems(): WorkspaceItem[] {
  const format = (name: string, label: string, orientation: 'Portrait' | 'Landscape'): WorkspaceItem => ({
    name,
    model: 'report.paperformat',
    values: {
      name: label,
      format: 'A4',
      orientation,
      margin_top: 10,
      margin_bottom: 10,
      margin_left: 10,
      margin_right: 10,
      header_line: false,
      header_spacing: 0,
      dpi: 90,
    },
  });
  return [
    format('paperformat_rcp_portrait', 'RCP documents (A4)', 'Portrait'),
    format('paperformat_rcp_landscape', 'RCP documents (A4, landscape)', 'Landscape'),
  ];
}

// ---- the templates -------------------------------------------------------------------------

/** A value, or a red note naming what is missing and where to enter it (never a blank). */
const must = (expr: string, what: string) =>
  `<t t-if="${expr}"><t t-out="${expr}"/></t><t t-else=""><span class="rcp-missing">[не указано: ${what}]</span></t>`;

/** What every document sets before its body. */
const PRELUDE = [
  `<t t-set="company" t-value="o.company_id"/>`,
  `<t t-set="seller" t-value="o.company_id.partner_id"/>`,
  `<t t-set="buyer" t-value="o.partner_id.commercial_partner_id"/>`,
  `<t t-set="bank" t-value="o.partner_bank_id or seller.bank_ids[:1]"/>`,
  `<t t-set="lines" t-value="o.invoice_line_ids.filtered(lambda l: l.display_type == 'product')"/>`,
  `<t t-set="money" t-value="lambda x: '{:,.2f}'.format(x).replace(',', ' ').replace('.', ',')"/>`,
  `<t t-set="price" t-value="lambda x: (lambda s: s.ljust(s.index('.') + 3, '0'))('{:,.6f}'.format(x).rstrip('0')).replace(',', ' ').replace('.', ',')"/>`,
  `<t t-set="qty" t-value="lambda x: ('%.6f' % x).rstrip('0').rstrip('.').replace('.', ',')"/>`,
  `<t t-set="address" t-value="lambda p: ', '.join([s for s in [p.zip, p.state_id.name, p.city, p.street, p.street2] if s])"/>`,
  `<t t-set="number" t-value="o.name if o.name and o.name != '/' else 'б/н'"/>`,
  `<t t-set="months" t-value="['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря']"/>`,
  `<t t-set="date_long" t-value="('%d %s %d г.' % (o.invoice_date.day, months[o.invoice_date.month - 1], o.invoice_date.year)) if o.invoice_date else ''"/>`,
  `<t t-set="date_short" t-value="o.invoice_date.strftime('%d.%m.%Y') if o.invoice_date else ''"/>`,
  `<t t-set="rate" t-value="lambda l: ', '.join(['%g%%' % t.amount for t in l.tax_ids]) or 'без НДС'"/>`,
  // the unit as RCP bills it ("ГБ×час"), from the line's label; Odoo's unit when the label says otherwise
  `<t t-set="unit" t-value="lambda l: ((l.name or '').split(': ', 1)[1].split(' × ')[0].split(' ', 1)[1] if ': ' in (l.name or '') and ' × ' in (l.name or '') and '(1 × сумма' not in (l.name or '') and ' ' in (l.name or '').split(': ', 1)[1].split(' × ')[0] else (l.product_uom_id.name or 'усл.'))"/>`,
].join('');

const STYLE = `<style>.rcp-doc{font-family:'DejaVu Sans',Arial,sans-serif;font-size:11px;color:#000}.rcp-doc table.grid{width:100%;border-collapse:collapse}.rcp-doc table.grid td,.rcp-doc table.grid th{border:1px solid #000;padding:2px 4px;vertical-align:top}.rcp-doc table.grid th{text-align:center;font-weight:bold}.rcp-doc .num{text-align:right;white-space:nowrap}.rcp-doc .c{text-align:center}.rcp-doc h2{font-size:16px;font-weight:bold;margin:12px 0 8px 0}.rcp-doc .rcp-missing{color:#c00;font-weight:bold}.rcp-doc .sign{border-bottom:1px solid #000;display:inline-block;min-width:160px}.rcp-doc .small{font-size:9px}.rcp-doc .draft{color:#c00;font-weight:bold}.rcp-doc table.plain{width:100%}.rcp-doc table.plain td{padding:2px 4px;vertical-align:top}</style>`;

const DRAFT_NOTE = `<div t-if="o.state == 'draft'" class="draft">Черновик: документ для проверки, не для передачи покупателю.</div>`;

const wrap = (template: string, body: string) =>
  `<t t-name="${reportName(template)}"><t t-call="web.html_container"><t t-foreach="docs" t-as="o"><t t-call="web.basic_layout"><div class="page rcp-doc" t-att-data-rcp-move="o.id">${STYLE}${PRELUDE}${DRAFT_NOTE}${body}</div></t></t></t></t>`;

const party = (p: string, what: string, kpp = `${p}.x_rcp_kpp`) =>
  `<t t-out="${p}.name"/>, ИНН ${must(`${p}.vat`, `ИНН ${what}`)}, КПП ${must(kpp, `КПП ${what}`)}, ${must(`address(${p})`, `адрес ${what}`)}`;

const TOTALS_ROWS = (span: number) =>
  `<tr><td colspan="${span}" class="num"><b>Итого:</b></td><td class="num" data-rcp="untaxed"><b t-out="money(o.amount_untaxed)"/></td></tr><tr><td colspan="${span}" class="num"><b t-if="o.amount_tax">В том числе НДС:</b><b t-else="">Без налога (НДС)</b></td><td class="num" data-rcp="tax"><b t-if="o.amount_tax" t-out="money(o.amount_tax)"/><b t-else="">-</b></td></tr><tr><td colspan="${span}" class="num"><b>Всего к оплате:</b></td><td class="num" data-rcp="total"><b t-out="money(o.amount_total)"/></td></tr>`;

/** Счёт на оплату: the bank block, supplier and buyer, lines, totals, VAT, the sum in words, signatures. */
const PAYMENT_INVOICE = wrap(
  REPORT_PAYMENT_INVOICE,
  `<table class="grid"><tr><td colspan="2" rowspan="2" style="width:60%">${must('bank.bank_id.name', 'банк получателя (Настройки → Компании → банковский счёт)')}<br/><span class="small">Банк получателя</span></td><td>БИК</td><td>${must('bank.bank_id.bic', 'БИК банка')}</td></tr><tr><td>Сч. №</td><td>${must('bank.bank_id.x_rcp_corr_account', 'корр. счёт банка (Контакты → Настройки → Банки)')}</td></tr><tr><td>ИНН ${must('company.vat', 'ИНН компании')}</td><td>КПП ${must('company.x_rcp_kpp', 'КПП компании')}</td><td rowspan="2">Сч. №</td><td rowspan="2">${must('bank.acc_number', 'расчётный счёт компании')}</td></tr><tr><td colspan="2"><t t-out="company.name"/><br/><span class="small">Получатель</span></td></tr></table>` +
    `<h2>Счёт на оплату № <t t-out="number"/> от <t t-out="date_long"/></h2><hr/>` +
    `<table class="plain"><tr><td style="width:15%">Поставщик<br/>(Исполнитель):</td><td><b>${party('seller', 'компании', 'company.x_rcp_kpp')}</b></td></tr><tr><td>Покупатель<br/>(Заказчик):</td><td><b>${party('buyer', 'покупателя')}</b></td></tr><tr><td>Основание:</td><td><t t-out="o.ref or o.invoice_origin or ''"/></td></tr></table>` +
    `<table class="grid" style="margin-top:8px"><thead><tr><th>№</th><th>Товары (работы, услуги)</th><th>Кол-во</th><th>Ед.</th><th>Цена</th><th>Сумма</th></tr></thead><tbody><tr t-foreach="lines" t-as="l" data-rcp="line" t-att-data-rcp-line="l.id"><td class="c" t-out="l_index + 1"/><td t-out="l.name"/><td class="num" data-rcp="quantity" t-out="qty(l.quantity)"/><td class="c" t-out="unit(l)"/><td class="num" data-rcp="price" t-out="price(l.price_unit)"/><td class="num" data-rcp="amount" t-out="money(l.price_subtotal)"/></tr>${TOTALS_ROWS(5)}</tbody></table>` +
    `<p>Всего наименований <t t-out="len(lines)"/>, на сумму <t t-out="money(o.amount_total)"/> руб.</p><p><b data-rcp="words" t-out="o.x_rcp_amount_words"/></p><hr/>` +
    `<table class="plain" style="margin-top:20px"><tr><td>Руководитель</td><td><span class="sign"/> / ${must('company.x_rcp_director', 'руководитель (Настройки → Компании)')}</td><td>Бухгалтер</td><td><span class="sign"/> / ${must('company.x_rcp_chief_accountant', 'главный бухгалтер (Настройки → Компании)')}</td></tr></table>`,
);

/** Акт оказанных услуг for the invoice's month: services, quantities in RCP's units, totals, words, both signatures. */
const ACT = wrap(
  REPORT_ACT,
  `<t t-set="period" t-value="(o.ref or '')[4:11] if (o.ref or '').startswith('RCP ') and len(o.ref or '') == 11 else (o.invoice_date.strftime('%Y-%m') if o.invoice_date else '')"/>` +
    `<t t-set="py" t-value="int(period[:4]) if period else 0"/><t t-set="pm" t-value="int(period[5:7]) if period else 0"/>` +
    `<t t-set="last_day" t-value="[31, 29 if (py % 4 == 0 and (py % 100 != 0 or py % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][pm - 1] if pm else 0"/>` +
    `<h2>Акт № <t t-out="number"/> от <t t-out="date_long"/> об оказании услуг</h2>` +
    `<p t-if="pm" data-rcp="period">Период оказания услуг: с 01.<t t-out="'%02d' % pm"/>.<t t-out="py"/> по <t t-out="last_day"/>.<t t-out="'%02d' % pm"/>.<t t-out="py"/></p><hr/>` +
    `<table class="plain"><tr><td style="width:15%">Исполнитель:</td><td><b>${party('seller', 'исполнителя (Настройки → Компании)', 'company.x_rcp_kpp')}</b></td></tr><tr><td>Заказчик:</td><td><b>${party('buyer', 'заказчика (Контакты)')}</b></td></tr><tr><td>Основание:</td><td>Счёт № <t t-out="number"/> от <t t-out="date_short"/></td></tr></table>` +
    `<table class="grid" style="margin-top:8px"><thead><tr><th>№</th><th>Наименование работ, услуг</th><th>Кол-во</th><th>Ед.</th><th>Цена</th><th>Сумма</th></tr></thead><tbody><tr t-foreach="lines" t-as="l" data-rcp="line" t-att-data-rcp-line="l.id"><td class="c" t-out="l_index + 1"/><td t-out="l.name"/><td class="num" data-rcp="quantity" t-out="qty(l.quantity)"/><td class="c" data-rcp="unit" t-out="unit(l)"/><td class="num" data-rcp="price" t-out="price(l.price_unit)"/><td class="num" data-rcp="amount" t-out="money(l.price_subtotal)"/></tr>${TOTALS_ROWS(5)}</tbody></table>` +
    `<p>Всего оказано услуг <t t-out="len(lines)"/>, на сумму <t t-out="money(o.amount_total)"/> руб.<t t-if="o.amount_tax">, в том числе НДС <t t-out="money(o.amount_tax)"/> руб.</t></p><p><b data-rcp="words" t-out="o.x_rcp_amount_words"/></p>` +
    '<p>Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий по объёму, качеству и срокам оказания услуг не имеет.</p><hr/>' +
    `<table class="plain" style="margin-top:20px"><tr><td style="width:50%"><b>ИСПОЛНИТЕЛЬ</b><br/><t t-out="company.name"/><br/><br/>Руководитель <span class="sign"/> / ${must('company.x_rcp_director', 'руководитель (Настройки → Компании)')}<br/><span class="small">М.П.</span></td><td><b>ЗАКАЗЧИК</b><br/><t t-out="buyer.name"/><br/><br/><span class="sign"/> / <span class="sign" style="min-width:120px"/><br/><span class="small">М.П.</span></td></tr></table>`,
);

const dash = '--';

/** Счёт-фактура, Приложение № 1 к Постановлению Правительства РФ от 26.12.2011 № 1137. */
const VAT_INVOICE = wrap(
  REPORT_VAT_INVOICE,
  `<div class="small" style="text-align:right">Приложение № 1<br/>к постановлению Правительства Российской Федерации<br/>от 26 декабря 2011 г. № 1137<br/>(в редакции постановления Правительства Российской Федерации от 16 августа 2024 г. № 1096)</div>` +
    `<h2 style="margin-bottom:2px">СЧЁТ-ФАКТУРА № <span data-rcp="number" t-out="number"/> от <t t-out="date_long"/> (1)</h2><div>ИСПРАВЛЕНИЕ № ${dash} от ${dash} (1а)</div>` +
    `<table class="plain small" style="font-size:10px"><tr><td style="width:30%">Продавец:</td><td><t t-out="company.name"/> (2)</td></tr><tr><td>Адрес:</td><td>${must('address(seller)', 'адрес продавца (Настройки → Компании)')} (2а)</td></tr><tr><td>ИНН/КПП продавца:</td><td>${must('company.vat', 'ИНН продавца')}/${must('company.x_rcp_kpp', 'КПП продавца')} (2б)</td></tr><tr><td>Грузоотправитель и его адрес:</td><td>${dash} (3)</td></tr><tr><td>Грузополучатель и его адрес:</td><td>${dash} (4)</td></tr><tr><td>К платёжно-расчётному документу №</td><td>${dash} от ${dash} (5)</td></tr><tr><td>Документ об отгрузке: № п/п</td><td data-rcp="shipment">1<t t-if="len(lines) != 1">–<t t-out="len(lines)"/></t> № <t t-out="number"/> от <t t-out="date_short"/> (5а)</td></tr><tr><td>Покупатель:</td><td><t t-out="buyer.name"/> (6)</td></tr><tr><td>Адрес:</td><td>${must('address(buyer)', 'адрес покупателя (Контакты)')} (6а)</td></tr><tr><td>ИНН/КПП покупателя:</td><td>${must('buyer.vat', 'ИНН покупателя')}/${must('buyer.x_rcp_kpp', 'КПП покупателя')} (6б)</td></tr><tr><td>Валюта: наименование, код</td><td><t t-out="'Российский рубль, 643' if o.currency_id.name == 'RUB' else '%s, %s' % (o.currency_id.full_name or o.currency_id.name, o.currency_id.name)"/> (7)</td></tr><tr><td>Идентификатор государственного контракта, договора (соглашения) (при наличии):</td><td>${dash} (8)</td></tr></table>` +
    `<table class="grid small" style="margin-top:6px;font-size:9px"><thead><tr><th rowspan="2">№ п/п</th><th rowspan="2">Наименование товара (описание выполненных работ, оказанных услуг), имущественного права</th><th rowspan="2">Код вида товара</th><th colspan="2">Единица измерения</th><th rowspan="2">Количество (объём)</th><th rowspan="2">Цена (тариф) за единицу измерения</th><th rowspan="2">Стоимость товаров (работ, услуг), имущественных прав без налога — всего</th><th rowspan="2">В том числе сумма акциза</th><th rowspan="2">Налоговая ставка</th><th rowspan="2">Сумма налога, предъявляемая покупателю</th><th rowspan="2">Стоимость товаров (работ, услуг), имущественных прав с налогом — всего</th><th colspan="2">Страна происхождения товара</th><th rowspan="2">Регистрационный номер декларации на товары или регистрационный номер партии товара, подлежащего прослеживаемости</th><th colspan="2">Количественная единица измерения товара, используемая в целях осуществления прослеживаемости</th><th rowspan="2">Количество товара, подлежащего прослеживаемости, в количественной единице измерения товара, используемой в целях осуществления прослеживаемости</th></tr><tr><th>код</th><th>условное обозначение (национальное)</th><th>цифровой код</th><th>краткое наименование</th><th>код</th><th>условное обозначение</th></tr>` +
    '<tr><th>1</th><th>1а</th><th>1б</th><th>2</th><th>2а</th><th>3</th><th>4</th><th>5</th><th>6</th><th>7</th><th>8</th><th>9</th><th>10</th><th>10а</th><th>11</th><th>12</th><th>12а</th><th>13</th></tr></thead>' +
    `<tbody><tr t-foreach="lines" t-as="l" data-rcp="line" t-att-data-rcp-line="l.id"><td class="c" t-out="l_index + 1"/><td t-out="l.name"/><td class="c">${dash}</td><td class="c" data-rcp="okei" t-out="l.product_uom_id.x_rcp_okei or '${dash}'"/><td class="c" t-out="unit(l)"/><td class="num" data-rcp="quantity" t-out="qty(l.quantity)"/><td class="num" data-rcp="price" t-out="price(l.price_unit)"/><td class="num" data-rcp="amount" t-out="money(l.price_subtotal)"/><td class="c">без акциза</td><td class="c" data-rcp="rate" t-out="rate(l)"/><td class="num" data-rcp="line-tax" t-out="money(l.price_total - l.price_subtotal) if l.tax_ids else 'без НДС'"/><td class="num" data-rcp="line-total" t-out="money(l.price_total)"/><td class="c">${dash}</td><td class="c">${dash}</td><td class="c">${dash}</td><td class="c">${dash}</td><td class="c">${dash}</td><td class="c">${dash}</td></tr>` +
    `<tr><td colspan="7"><b>Всего к оплате (9)</b></td><td class="num" data-rcp="untaxed"><b t-out="money(o.amount_untaxed)"/></td><td class="c" colspan="2">X</td><td class="num" data-rcp="tax"><b t-out="money(o.amount_tax) if o.amount_tax else 'без НДС'"/></td><td class="num" data-rcp="total"><b t-out="money(o.amount_total)"/></td><td colspan="6"/></tr></tbody></table>` +
    `<table class="plain small" style="margin-top:14px;font-size:10px"><tr><td style="width:50%">Руководитель организации или иное уполномоченное лицо <span class="sign" style="min-width:90px"/> ${must('company.x_rcp_director', 'руководитель (Настройки → Компании)')}<br/><span class="small">(подпись) (ф.и.о.)</span></td><td>Главный бухгалтер или иное уполномоченное лицо <span class="sign" style="min-width:90px"/> ${must('company.x_rcp_chief_accountant', 'главный бухгалтер (Настройки → Компании)')}<br/><span class="small">(подпись) (ф.и.о.)</span></td></tr><tr><td colspan="2" style="padding-top:10px">Индивидуальный предприниматель или иное уполномоченное лицо <span class="sign" style="min-width:90px"/> <span class="sign" style="min-width:120px"/> <span class="sign" style="min-width:200px"/><br/><span class="small">(подпись) (ф.и.о.) (реквизиты свидетельства о государственной регистрации индивидуального предпринимателя)</span></td></tr></table>`,
);

const TEMPLATES: Record<string, string> = {
  [REPORT_PAYMENT_INVOICE]: PAYMENT_INVOICE,
  [REPORT_ACT]: ACT,
  [REPORT_VAT_INVOICE]: VAT_INVOICE,
};

function templateItems(): WorkspaceItem[] {
  return DOCUMENTS.map((d) => ({
    name: d.template,
    model: 'ir.ui.view',
    values: {
      name: reportName(d.template),
      key: reportName(d.template),
      type: 'qweb',
      mode: 'primary',
      priority: 16,
      arch: TEMPLATES[d.template] as string,
    },
  }));
}

function reportItems(caps: Capabilities): WorkspaceItem[] {
  void caps;
  return DOCUMENTS.map((d) => {
    const values: Record<string, ItemValue> = {
      name: d.label,
      model: 'account.move',
      report_type: 'qweb-pdf',
      report_name: reportName(d.template),
      report_file: reportName(d.template),
      print_report_name: `'${d.label.replace(' (RCP)', '')} - %s' % (object.name or 'draft')`,
      binding_model_id: ref('account.model_account_move'),
      binding_type: 'report',
      paperformat_id: ref(
        d.template === REPORT_VAT_INVOICE ? 'paperformat_rcp_landscape' : 'paperformat_rcp_portrait',
      ),
    };
    return { name: d.action, model: 'ir.actions.report', values };
  });
}

/** Every item of the documents, in creation order (fields, forms, paper, templates, actions). */
export function documentItems(caps: Capabilities): WorkspaceItem[] {
  return [...fieldItems(), ...formItems(), ...paperformatItems(), ...templateItems(), ...reportItems(caps)];
}
