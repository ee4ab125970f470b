import { describe, expect, it } from 'vitest';
import {
  type CounterpartyRefs,
  normaliseCompanyName,
  toClientRecord,
  toPartnerRecord,
} from '../../mappings/counterparties.ts';
import {
  TAG_XMLIDS,
  invoiceXmlid,
  keyName,
  keyOfName,
  pricelistItemXmlid,
  uomCategoryXmlid,
  uomXmlid,
  xmlidOf,
} from '../../mappings/external-ids.ts';
import {
  changedFields,
  loadColumns,
  roundToDigits,
  toLoadRow,
  toWriteValues,
} from '../../mappings/odoo-values.ts';
import {
  decimalsOf,
  pricePrecisionProblems,
  pricelistItemFields,
  toPricelistItemRecord,
} from '../../mappings/pricelists.ts';
import { productFields, toProductRecord } from '../../mappings/products.ts';

const refs: CounterpartyRefs = {
  tagPartner: 11,
  tagClient: 12,
  paymentTermPrepay: 1,
  paymentTermPostpay: 4,
  pricelistOf: (plan) => (plan === 'plan-a' ? 70 : undefined),
};

const client = {
  id: 'e2cb4854-53c7-456c-84f8-901e0700c876',
  name: 'ООО "СмартМониторинг"',
  payment_model: 'postpay' as const,
  contact_emails: [{ email: null }, { email: 'buh@smart.ru' }],
  contract: { billing_plan: { id: 'plan-a' } },
};

describe('counterparties', () => {
  it('a client is a company keyed by its uuid, on its plan’s price list and its payment model’s term', () => {
    expect(toClientRecord(client, refs)).toEqual({
      xmlid: 'rcp_connector.client_e2cb4854_53c7_456c_84f8_901e0700c876',
      label: 'client ООО "СмартМониторинг" (e2cb4854-53c7-456c-84f8-901e0700c876)',
      values: {
        name: 'ООО "СмартМониторинг"',
        ref: client.id,
        is_company: true,
        email: 'buh@smart.ru',
        category_id: [12],
        property_product_pricelist: 70,
        property_payment_term_id: 4,
      },
    });
    expect(toClientRecord({ ...client, payment_model: 'prepay' }, refs).values.property_payment_term_id).toBe(
      1,
    );
  });

  it('a partner whose plan has no price list yet gets none rather than a wrong one', () => {
    const record = toPartnerRecord(
      { id: 'p-1', name: 'Партнёр №1', contract: { billing_plan: { id: 'plan-b' } } },
      refs,
    );
    expect(record.values).not.toHaveProperty('property_product_pricelist');
    expect(record.values.category_id).toEqual([11]);
  });

  it.each([
    ['ООО "СмартМониторинг"', 'смартмониторинг'],
    ['ООО «Смартмониторинг»', 'смартмониторинг'],
    ['смартмониторинг, ооо', 'смартмониторинг'],
    ['ИП Ёлкин', 'елкин'],
    ['АО  "Альфа-Софт"', 'альфа-софт'],
  ])('%s is matched as %s', (name, normalised) => {
    expect(normaliseCompanyName(name)).toBe(normalised);
  });
});

describe('products', () => {
  const shape17 = { typeField: 'detailed_type' as const, hasPurchaseUom: true };
  const shape19 = { typeField: 'type' as const, hasPurchaseUom: false };
  const productRefs = { uomOf: (m: string) => (m === 'ГБ' ? 30 : 1), categoryId: 1 };

  it('a billing class is a service with its article, its unit, explicitly no taxes and no sales price', () => {
    const record = toProductRecord(
      { id: 'kvm_hdd_ultrafast', name: 'SSD', sku_mask: 'IS-KVM-VHDD-SSD-CA-P-GB-D', measure: 'ГБ' },
      shape17,
      productRefs,
    );
    expect(record.xmlid).toBe('rcp_connector.product_kvm_hdd_ultrafast');
    expect(record.values).toEqual({
      name: 'SSD',
      default_code: 'IS-KVM-VHDD-SSD-CA-P-GB-D',
      detailed_type: 'service',
      uom_id: 30,
      uom_po_id: 30,
      categ_id: 1,
      sale_ok: true,
      purchase_ok: false,
      taxes_id: [],
      list_price: 0,
    });
  });

  it('on 19 the kind is `type` and there is no purchase unit; an empty article falls back to the class id', () => {
    const record = toProductRecord(
      { id: 'win_license', name: 'Windows', sku_mask: '', measure: 'шт.' },
      shape19,
      productRefs,
    );
    expect(record.values).toMatchObject({ type: 'service', default_code: 'win_license', uom_id: 1 });
    expect(record.values).not.toHaveProperty('uom_po_id');
    expect(Object.keys(productFields(shape19))).not.toContain('uom_po_id');
  });
});

describe('price lists', () => {
  const price = { cost: 0.0107, billing_plan: 'a8507ae8-5968', billing_class: { id: 'kvm_hdd_ultrafast' } };

  it('a price is a fixed price for the product, as RCP states it', () => {
    expect(toPricelistItemRecord(price, 70, 5).values).toEqual({
      pricelist_id: 70,
      applied_on: '0_product_variant',
      product_id: 5,
      compute_price: 'fixed',
      fixed_price: 0.0107,
      min_quantity: 0,
    });
  });

  it('a price stored rounded by Odoo is not a change, so a re-run writes nothing', () => {
    const record = toPricelistItemRecord(price, 70, 5);
    const stored = {
      pricelist_id: [70, 'RCP: plan'],
      applied_on: '0_product_variant',
      product_id: [5, 'SSD'],
      compute_price: 'fixed',
      fixed_price: 0.01,
      min_quantity: 0,
    };
    expect(changedFields(pricelistItemFields(2), record.values, stored)).toEqual([]);
    expect(changedFields(pricelistItemFields(4), record.values, stored)).toEqual(['fixed_price']);
  });

  it('names the prices Odoo’s precision would round', () => {
    expect(decimalsOf(0.0107)).toBe(4);
    expect(decimalsOf(24)).toBe(0);
    expect(decimalsOf(1e-7)).toBe(7);
    const problems = pricePrecisionProblems([price, { ...price, cost: 0.85 }], 2);
    expect(problems.map((p) => p.needs)).toEqual([4]);
  });
});

describe('Odoo values', () => {
  const specs = {
    name: { type: 'char' as const },
    is_company: { type: 'boolean' as const },
    category_id: { type: 'many2many' as const },
    property_product_pricelist: { type: 'many2one' as const },
  };

  it('compares with what Odoo answers: many2one pairs, unordered many2many, false for empty text', () => {
    const desired = { name: 'A', is_company: true, category_id: [3, 2], property_product_pricelist: 7 };
    expect(
      changedFields(specs, desired, {
        name: 'A',
        is_company: true,
        category_id: [2, 3],
        property_product_pricelist: [7, 'RCP: x'],
      }),
    ).toEqual([]);
    expect(
      changedFields(
        specs,
        { ...desired, name: '' },
        { name: false, is_company: true, category_id: [2, 3], property_product_pricelist: [7, 'x'] },
      ),
    ).toEqual([]);
    expect(
      changedFields(specs, desired, {
        name: 'B',
        is_company: false,
        category_id: [2],
        property_product_pricelist: false,
      }),
    ).toEqual(['name', 'is_company', 'category_id', 'property_product_pricelist']);
  });

  it('load() rows carry the external ID, text values and relations by database id; many2many go by write', () => {
    const fields = Object.keys(specs);
    expect(loadColumns(specs, fields)).toEqual([
      'id',
      'name',
      'is_company',
      'property_product_pricelist/.id',
    ]);
    const record = {
      xmlid: 'rcp_connector.client_x',
      label: 'x',
      values: { name: 'ООО "Кавычки"', is_company: true, category_id: [2], property_product_pricelist: 7 },
    };
    expect(toLoadRow(specs, record, fields)).toEqual(['rcp_connector.client_x', 'ООО "Кавычки"', '1', '7']);
    expect(toWriteValues(specs, record.values, ['category_id'])).toEqual({ category_id: [[6, 0, [2]]] });
  });

  it.each([
    [0.0107, 2, 0.01],
    [1.005, 2, 1.01],
    [2.675, 2, 2.68],
    [-1.005, 2, -1.01],
    [0.0107, 4, 0.0107],
  ])('rounds %d to %d places as %d', (value, digits, expected) => {
    expect(roundToDigits(value, digits)).toBe(expected);
  });
});

describe('external IDs', () => {
  const uuid = 'e2cb4854-53c7-4c1e-9b7a-0a1b2c3d4e5f';

  it('name a lower-case uuid as before: its `-` become `_`', () => {
    expect(xmlidOf('client', uuid)).toBe('rcp_connector.client_e2cb4854_53c7_4c1e_9b7a_0a1b2c3d4e5f');
    expect(xmlidOf('client', uuid.toUpperCase())).toBe(xmlidOf('client', uuid));
    expect(invoiceXmlid('2023-06', 'client', uuid)).toBe(
      'rcp_connector.invoice_2023_06_client_e2cb4854_53c7_4c1e_9b7a_0a1b2c3d4e5f',
    );
    expect(pricelistItemXmlid(uuid, 'kvm_hdd_fast')).toBe(
      'rcp_connector.pricelist_item_e2cb4854_53c7_4c1e_9b7a_0a1b2c3d4e5f_kvm_hdd_fast',
    );
  });

  it('keep billing class ids of letters, digits and `_` as they are', () => {
    expect(xmlidOf('product', 'vmware_cpu_3_2')).toBe('rcp_connector.product_vmware_cpu_3_2');
    expect(uomXmlid('ГБ')).toBe('rcp_connector.uom_gb');
    expect(uomCategoryXmlid('ГБ')).toBe('rcp_connector.uom_gb_category');
    expect(TAG_XMLIDS.client).toBe('rcp_connector.tag_client');
  });

  it('never give two ids one name', () => {
    const ids = ['a.b', 'a-b', 'a_b', 'ab', 'aX2DXb', 'A-B', 'ГБ', uuid, uuid.replaceAll('-', '_'), 'x', 'X'];
    const names = ids.map((id) => keyName(id));
    expect(new Set(names).size).toBe(ids.length);
    expect(names.slice(0, 3)).toEqual(['aX2EXb', 'aX2DXb', 'a_b']);
    for (const id of ids) expect(keyOfName(keyName(id))).toBe(id);
    expect(keyOfName(keyName(uuid.toUpperCase()))).toBe(uuid);
  });

  it('keep the parts of a name apart', () => {
    expect(pricelistItemXmlid('p_1', 'c')).not.toBe(pricelistItemXmlid('p', '1_c'));
    expect(uomCategoryXmlid('x')).not.toBe(uomXmlid('x_category'));
  });
});
