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
 * The templates are QWeb files in `odoo/reports/`: `_document.xml` is the page every document
 * shares (style, the values every body uses, the draft note), each `report_*.xml` one document's body.
 *
 * Figures carry `data-rcp` attributes (line amounts, totals, VAT, words) so that a test — or anyone
 * scripting over the HTML report — reads them back without parsing the layout.
 */
import { amountInWordsPython } from '../../mappings/amount-in-words.ts';
import type { Capabilities } from '../odoo/capabilities.ts';
import { type ItemValue, type WorkspaceItem, ref, refs } from './items.ts';
import { actionCode, computeCode, reportArch, viewArch } from './odoo-files.ts';

export const REPORT_PAYMENT_INVOICE = 'report_rcp_payment_invoice';
export const REPORT_ACT = 'report_rcp_act';
export const REPORT_VAT_INVOICE = 'report_rcp_vat_invoice';
export const REPORT_UPD = 'report_rcp_upd';
export const REPORT_UKD = 'report_rcp_ukd';

/**
 * The report actions of every invoice, with their `report_name` (= their template's key) and
 * Print-menu label.
 */
export const DOCUMENTS = [
  {
    action: 'action_report_payment_invoice',
    template: REPORT_PAYMENT_INVOICE,
    label: 'Счёт на оплату (RCP)',
  },
  { action: 'action_report_act', template: REPORT_ACT, label: 'Акт оказанных услуг (RCP)' },
  { action: 'action_report_vat_invoice', template: REPORT_VAT_INVOICE, label: 'Счёт-фактура (RCP)' },
  { action: 'action_report_upd', template: REPORT_UPD, label: 'УПД (RCP)' },
] as const;

/**
 * The corrective document (УКД / корректировочный счёт-фактура) of a correction made by
 * `invoice --corrections`: in every invoice's Print menu like the others (Odoo 17's report actions
 * have no filter domain), and refused with the reason for a move that is not such a correction.
 */
export const UKD_DOCUMENT = {
  action: 'action_report_ukd',
  template: REPORT_UKD,
  label: 'УКД / корректировочный счёт-фактура (RCP)',
} as const;

/** Every report the workspace installs: the invoice's documents, then the corrective one. */
export const ALL_DOCUMENTS = [...DOCUMENTS, UKD_DOCUMENT] as const;

/**
 * The server action the УКД runs when asked to print a move that is not a connector correction: it
 * raises Odoo's UserError with the reason (`rcp_refusal` in its context), so the print is refused
 * with that message (QWeb itself cannot raise one). Any internal user may run it: it only refuses.
 */
export const ACTION_REFUSE_DOCUMENT = 'action_refuse_document';

/** The documents printed on landscape paper (the счёт-фактура's table and the УПД). */
const LANDSCAPE: readonly string[] = [REPORT_VAT_INVOICE, REPORT_UPD, REPORT_UKD];

export const reportName = (template: string) => `rcp_connector.${template}`;

/** Fields the documents need that Odoo lacks, on Odoo's own models. */
interface ExtraField {
  model: string;
  modelXmlid: string;
  name: `x_rcp_${string}`;
  label: string;
  help: string;
  ttype?: 'char' | 'date';
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
    model: 'res.partner',
    modelXmlid: 'base.model_res_partner',
    name: 'x_rcp_ogrn',
    label: 'ОГРН / ОГРНИП',
    help: 'ОГРН (13 digits) of an organisation, ОГРНИП (15) of an entrepreneur: printed on the RCP УПД.',
  },
  {
    model: 'res.partner',
    modelXmlid: 'base.model_res_partner',
    name: 'x_rcp_edo_id',
    label: 'ЭДО: идентификатор участника',
    help: "The company's participant id at its ЭДО operator (e.g. 2AE-…): the buyer of the RCP УПД files.",
  },
  {
    model: 'res.partner',
    modelXmlid: 'base.model_res_partner',
    name: 'x_rcp_contract_number',
    label: 'Договор: номер',
    help: 'The number of the contract the RCP services are rendered under: the basis on the act and the УПД.',
  },
  {
    model: 'res.partner',
    modelXmlid: 'base.model_res_partner',
    name: 'x_rcp_contract_date',
    label: 'Договор: дата',
    help: 'The date of that contract.',
    ttype: 'date',
  },
  {
    model: 'res.company',
    modelXmlid: 'base.model_res_company',
    name: 'x_rcp_ogrn',
    label: 'ОГРН / ОГРНИП',
    help: "The company's ОГРН (13 digits) or ОГРНИП (15): printed on the RCP УПД.",
  },
  {
    model: 'res.company',
    modelXmlid: 'base.model_res_company',
    name: 'x_rcp_edo_id',
    label: 'ЭДО: идентификатор участника',
    help: "The company's participant id at its ЭДО operator: the seller of the RCP УПД files (EDO_SELLER_ID in .env when empty).",
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

/**
 * How every document prints a product line (its amounts made to add up to the invoice's, its real
 * quantity, unit and price): non-stored fields of `account.move.line`, all computed by one Python
 * (`odoo/computes/account.move.line.x_rcp_doc.py`, the one home of those rules), so the printed
 * documents and the УПД file read the same figures, recomputed from the invoice on every read.
 */
export const LINE_FIGURE_FIELDS = [
  { name: 'x_rcp_doc_untaxed', ttype: 'float', label: 'Документы: сумма без НДС' },
  { name: 'x_rcp_doc_tax', ttype: 'float', label: 'Документы: НДС' },
  { name: 'x_rcp_doc_quantity', ttype: 'char', label: 'Документы: количество' },
  { name: 'x_rcp_doc_unit', ttype: 'char', label: 'Документы: единица' },
  { name: 'x_rcp_doc_price', ttype: 'char', label: 'Документы: цена без НДС' },
  { name: 'x_rcp_doc_price_gross', ttype: 'char', label: 'Документы: цена с НДС' },
] as const;
const LINE_FIGURE_DEPENDS = [
  'name',
  'quantity',
  'price_unit',
  'discount',
  'price_subtotal',
  'price_total',
  'tax_ids',
  'product_uom_id',
  'move_id.amount_untaxed',
  'move_id.amount_tax',
].join(',');

/**
 * How the УКД prints a line of a correction (credit note or additional invoice made by
 * `invoice --corrections`): the invoice it corrects, the figures before the change and the change,
 * quantity and price before and after. Non-stored fields of `account.move.line`, all computed by
 * one Python (`odoo/computes/account.move.line.x_rcp_ukd.py`, the one home of those rules) from the
 * original's lines, the earlier corrections' and the usage records; empty on any other line.
 */
export const UKD_LINE_FIELDS = [
  { name: 'x_rcp_ukd_original_id', ttype: 'many2one', label: 'УКД: исправляемый счёт' },
  { name: 'x_rcp_ukd_before_untaxed', ttype: 'float', label: 'УКД: сумма без НДС до изменения' },
  { name: 'x_rcp_ukd_before_tax', ttype: 'float', label: 'УКД: НДС до изменения' },
  { name: 'x_rcp_ukd_change_untaxed', ttype: 'float', label: 'УКД: изменение суммы без НДС' },
  { name: 'x_rcp_ukd_change_tax', ttype: 'float', label: 'УКД: изменение НДС' },
  { name: 'x_rcp_ukd_quantity_before', ttype: 'char', label: 'УКД: количество до изменения' },
  { name: 'x_rcp_ukd_quantity_after', ttype: 'char', label: 'УКД: количество после изменения' },
  { name: 'x_rcp_ukd_quantity_change', ttype: 'char', label: 'УКД: изменение количества' },
  { name: 'x_rcp_ukd_price_before', ttype: 'char', label: 'УКД: цена до изменения' },
  { name: 'x_rcp_ukd_price_after', ttype: 'char', label: 'УКД: цена после изменения' },
  { name: 'x_rcp_ukd_price_change', ttype: 'char', label: 'УКД: изменение цены' },
  { name: 'x_rcp_ukd_unit', ttype: 'char', label: 'УКД: единица' },
] as const;
const UKD_DEPENDS = `${LINE_FIGURE_DEPENDS},product_id,move_id.state`;

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
  items.push(
    ...LINE_FIGURE_FIELDS.map((f) =>
      computedLineField(
        f,
        'How the RCP documents print this line (computed from the invoice on every read).',
        {
          depends: LINE_FIGURE_DEPENDS,
          compute: computeCode('account.move.line.x_rcp_doc', { field: `'${f.name}'` }),
        },
      ),
    ),
    ...UKD_LINE_FIELDS.map((f) =>
      computedLineField(f, 'How the RCP УКД prints this line of a correction (computed on every read).', {
        depends: UKD_DEPENDS,
        compute: computeCode('account.move.line.x_rcp_ukd', { field: `'${f.name}'` }),
      }),
    ),
  );
  return items;
}

/** A field of invoice lines the documents print, computed by Odoo on every read (not stored). */
function computedLineField(
  f: { name: string; ttype: string; label: string },
  help: string,
  code: { depends: string; compute: string },
): WorkspaceItem {
  return {
    name: fieldXmlid('account.move.line', f.name),
    model: 'ir.model.fields',
    values: {
      model_id: ref('account.model_account_move_line'),
      model: 'account.move.line',
      name: f.name,
      ttype: f.ttype,
      ...(f.ttype === 'many2one' ? { relation: 'account.move' } : {}),
      field_description: f.label,
      help,
      required: false,
      readonly: true,
      store: false,
      ...code,
    },
    key: ['model', 'name'],
    createOnly: ['model_id', 'model', 'name', 'ttype'],
  };
}

/** Where an administrator types the new values: Odoo's own forms, one field more each. */
function formItems(): WorkspaceItem[] {
  const form = (name: string, model: string, inherit: string): WorkspaceItem => ({
    name,
    model: 'ir.ui.view',
    values: {
      name: `${model}.form.rcp_documents`,
      model,
      type: 'form',
      inherit_id: ref(inherit),
      mode: 'extension',
      priority: 99,
      arch: viewArch(name),
    },
  });
  return [
    form('view_partner_form_rcp_kpp', 'res.partner', 'base.view_partner_form'),
    form('view_company_form_rcp_documents', 'res.company', 'base.view_company_form'),
    form('view_bank_form_rcp_corr_account', 'res.bank', 'base.view_res_bank_form'),
    form('view_uom_form_rcp_okei', 'uom.uom', 'uom.product_uom_form_view'),
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

/**
 * The shared parts each body takes: the requisites rows (one home for the seller's and the buyer's,
 * numbered as each form numbers them), the счёт-фактура core, the signatures, the totals.
 */
function bodyParts(template: string): Record<string, string> {
  const seller = reportArch('_seller_rows');
  const buyer = (rows: { buyer: string; currency: string; contract: string }) =>
    reportArch('_buyer_rows', rows);
  const core = () =>
    reportArch('_vat_invoice_core', { seller, buyer: buyer({ buyer: '6', currency: '7', contract: '8' }) });
  switch (template) {
    case REPORT_VAT_INVOICE:
      return { core: core() };
    case REPORT_UPD:
      return { core: core(), signatures: reportArch('_signatures') };
    case REPORT_UKD:
      return {
        seller,
        buyer: buyer({ buyer: '3', currency: '4', contract: '5' }),
        signatures: reportArch('_signatures'),
      };
    default:
      return { totals: reportArch('_totals') };
  }
}

function templateItems(): WorkspaceItem[] {
  return ALL_DOCUMENTS.map((d) => ({
    name: d.template,
    model: 'ir.ui.view',
    values: {
      name: reportName(d.template),
      key: reportName(d.template),
      type: 'qweb',
      mode: 'primary',
      priority: 16,
      arch: reportArch('_document', {
        name: reportName(d.template),
        body: reportArch(d.template, bodyParts(d.template)),
      }),
    },
  }));
}

function reportItems(caps: Capabilities): WorkspaceItem[] {
  void caps;
  return ALL_DOCUMENTS.map((d) => {
    const values: Record<string, ItemValue> = {
      name: d.label,
      model: 'account.move',
      report_type: 'qweb-pdf',
      report_name: reportName(d.template),
      report_file: reportName(d.template),
      print_report_name: `'${d.label.replace(' (RCP)', '').split(' / ')[0]} - %s' % (object.name or 'draft')`,
      binding_model_id: ref('account.model_account_move'),
      binding_type: 'report',
      paperformat_id: ref(
        LANDSCAPE.includes(d.template) ? 'paperformat_rcp_landscape' : 'paperformat_rcp_portrait',
      ),
    };
    return { name: d.action, model: 'ir.actions.report', values };
  });
}

/** The refusal the УКД runs for a move that is not a connector correction (any internal user). */
function refusalItem(caps: Capabilities): WorkspaceItem {
  return {
    name: ACTION_REFUSE_DOCUMENT,
    model: 'ir.actions.server',
    values: {
      name: 'RCP: refuse to print a document for this record',
      model_id: ref('account.model_account_move'),
      state: 'code',
      code: actionCode(ACTION_REFUSE_DOCUMENT),
      [caps.recordGroupsField]: refs('base.group_user'),
    },
  };
}

/** Every item of the documents, in creation order (fields, forms, paper, refusal, templates, actions). */
export function documentItems(caps: Capabilities): WorkspaceItem[] {
  return [
    ...fieldItems(),
    ...formItems(),
    ...paperformatItems(),
    refusalItem(caps),
    ...templateItems(),
    ...reportItems(caps),
  ];
}
