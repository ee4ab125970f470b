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
import { type ItemValue, type WorkspaceItem, ref } from './items.ts';
import { computeCode, reportArch, viewArch } from './odoo-files.ts';

export const REPORT_PAYMENT_INVOICE = 'report_rcp_payment_invoice';
export const REPORT_ACT = 'report_rcp_act';
export const REPORT_VAT_INVOICE = 'report_rcp_vat_invoice';
export const REPORT_UPD = 'report_rcp_upd';

/** The report actions, with their `report_name` (= their template's key) and Print-menu label. */
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

/** The documents printed on landscape paper (the счёт-фактура's table and the УПД). */
const LANDSCAPE: readonly string[] = [REPORT_VAT_INVOICE, REPORT_UPD];

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
  for (const f of LINE_FIGURE_FIELDS)
    items.push({
      name: fieldXmlid('account.move.line', f.name),
      model: 'ir.model.fields',
      values: {
        model_id: ref('account.model_account_move_line'),
        model: 'account.move.line',
        name: f.name,
        ttype: f.ttype,
        field_description: f.label,
        help: 'How the RCP documents print this line (computed from the invoice on every read).',
        required: false,
        readonly: true,
        store: false,
        depends: LINE_FIGURE_DEPENDS,
        compute: computeCode('account.move.line.x_rcp_doc', { field: `'${f.name}'` }),
      },
      key: ['model', 'name'],
      createOnly: ['model_id', 'model', 'name', 'ttype'],
    });
  return items;
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
      arch: reportArch('_document', {
        name: reportName(d.template),
        body: reportArch(
          d.template,
          LANDSCAPE.includes(d.template)
            ? { core: reportArch('_vat_invoice_core') }
            : { totals: reportArch('_totals') },
        ),
      }),
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
        LANDSCAPE.includes(d.template) ? 'paperformat_rcp_landscape' : 'paperformat_rcp_portrait',
      ),
    };
    return { name: d.action, model: 'ir.actions.report', values };
  });
}

/** Every item of the documents, in creation order (fields, forms, paper, templates, actions). */
export function documentItems(caps: Capabilities): WorkspaceItem[] {
  return [...fieldItems(), ...formItems(), ...paperformatItems(), ...templateItems(), ...reportItems(caps)];
}
