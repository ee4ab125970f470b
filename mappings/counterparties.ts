import { xmlidOf } from './external-ids.ts';
import type { DesiredRecord, FieldSpecs } from './odoo-values.ts';

/** The parts of RCP's validated records these mappings read (the edge's schemas give more). */
export interface Partner {
  id: string;
  name: string;
  contract?: { billing_plan: { id: string } } | null | undefined;
}

export interface Client {
  id: string;
  name: string;
  payment_model: 'prepay' | 'postpay';
  contact_emails: ReadonlyArray<{ email?: string | null | undefined }>;
  contract: { billing_plan: { id: string } };
}

/** Odoo ids the counterparty values point at, found or made before mapping. */
export interface CounterpartyRefs {
  tagPartner: number;
  tagClient: number;
  /** The price list of a billing plan, when synced. */
  pricelistOf(planId: string): number | undefined;
  paymentTermPrepay: number;
  paymentTermPostpay: number;
}

export const COUNTERPARTY_FIELDS: FieldSpecs = {
  name: { type: 'char' },
  ref: { type: 'char' },
  is_company: { type: 'boolean' },
  email: { type: 'char' },
  category_id: { type: 'many2many' },
  property_product_pricelist: { type: 'many2one' },
  property_payment_term_id: { type: 'many2one' },
};

/** An RCP partner (reseller or own channel) as an Odoo company, invoiced after the fact. */
export function toPartnerRecord(partner: Partner, refs: CounterpartyRefs): DesiredRecord {
  const plan = partner.contract?.billing_plan.id;
  const pricelist = plan ? refs.pricelistOf(plan) : undefined;
  return {
    xmlid: xmlidOf('partner', partner.id),
    label: `partner ${partner.name} (${partner.id})`,
    values: {
      name: partner.name,
      ref: partner.id,
      is_company: true,
      category_id: [refs.tagPartner],
      ...(pricelist ? { property_product_pricelist: pricelist } : {}),
      property_payment_term_id: refs.paymentTermPostpay,
    },
  };
}

/** An RCP client as an Odoo company, on its contract's price list and its payment model's term. */
export function toClientRecord(client: Client, refs: CounterpartyRefs): DesiredRecord {
  const pricelist = refs.pricelistOf(client.contract.billing_plan.id);
  const email = client.contact_emails
    .map((c) => c.email)
    .find((e): e is string => typeof e === 'string' && e.includes('@'));
  return {
    xmlid: xmlidOf('client', client.id),
    label: `client ${client.name} (${client.id})`,
    values: {
      name: client.name,
      ref: client.id,
      is_company: true,
      ...(email ? { email } : {}),
      category_id: [refs.tagClient],
      ...(pricelist ? { property_product_pricelist: pricelist } : {}),
      property_payment_term_id:
        client.payment_model === 'prepay' ? refs.paymentTermPrepay : refs.paymentTermPostpay,
    },
  };
}

/**
 * A company name reduced for matching: no legal form (ООО, АО, ИП, LLC…), no quotes of any kind,
 * one case, single spaces, `ё` as `е`.
 */
export function normaliseCompanyName(name: string): string {
  return name
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/["'«»„“”‘’`]/g, ' ')
    .replace(/(^|\s)(ооо|оао|зао|пао|ао|ип|нко|ано|llc|ltd|inc|gmbh)(?=\s|$|\.|,)/g, ' ')
    .replace(/[.,]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
