import { describe, expect, it } from 'vitest';
import { capabilitiesFor } from '../../connector/odoo/capabilities.ts';
import {
  type CompanyRequisites,
  missingBuyerRequisites,
  missingCompanyRequisites,
  missingEdoRequisites,
} from '../../connector/workspace/documents-check.ts';
import { documentItems } from '../../connector/workspace/documents.ts';

const complete: CompanyRequisites = {
  name: 'ООО Облако',
  vat: '7707083893',
  kpp: '773601001',
  address: '117312, Москва, ул. Вавилова, 19',
  director: 'Иванов И.И.',
  chiefAccountant: 'Петрова А.А.',
  ogrn: '1027700132195',
  edoId: '2BM-7707083893-773601001-201411170000000000000',
  bank: {
    account: '40702810938000000001',
    bankName: 'ПАО Сбербанк',
    bic: '044525225',
    corrAccount: '30101810400000000225',
  },
};

const contracted = { contractNumber: '15/2024', contractDate: '2024-01-10', edoId: '2AE-1' } as const;

describe('requisites the documents print', () => {
  it('a complete company lacks nothing', () => {
    expect(missingCompanyRequisites(complete)).toEqual([]);
  });

  it.each([
    ['vat', { vat: false }, 'ИНН'],
    ['kpp', { kpp: false }, 'КПП'],
    ['address', { address: '' }, 'address'],
    ['director', { director: false }, 'Руководитель'],
    ['chief accountant', { chiefAccountant: false }, 'Главный бухгалтер'],
    ['ОГРН', { ogrn: false }, 'ОГРН'],
    ['bank', { bank: undefined }, 'a bank account of the company'],
    ['bic', { bank: { ...complete.bank, bic: false } }, 'БИК'],
    ['corr account', { bank: { ...complete.bank, corrAccount: false } }, 'Корр. счёт'],
  ] as const)('a missing %s is named with where to enter it', (_what, change, named) => {
    const missing = missingCompanyRequisites({ ...complete, ...change } as CompanyRequisites);
    expect(missing).toHaveLength(1);
    expect(missing[0]).toContain(named);
    expect(missing[0]).toMatch(/Settings|Contacts/);
  });

  it('an individual entrepreneur (12-digit ИНН) is not asked for a КПП', () => {
    expect(missingCompanyRequisites({ ...complete, vat: '500100732259', kpp: false })).toEqual([]);
    expect(
      missingBuyerRequisites([
        { ...contracted, name: 'ИП Сидоров', vat: '500100732259', kpp: false, address: 'Москва' },
      ]),
    ).toEqual([]);
  });

  it('buyers are listed by name with what each lacks', () => {
    expect(
      missingBuyerRequisites([
        { ...contracted, name: 'ООО А', vat: false, kpp: false, address: '' },
        { ...contracted, name: 'ООО Б', vat: '7736207543', kpp: '773601001', address: 'Москва' },
        {
          ...contracted,
          name: 'ООО В',
          vat: '7736207543',
          kpp: '773601001',
          address: 'Москва',
          contractDate: false,
        },
      ]),
    ).toEqual(['ООО А: ИНН, КПП, address', 'ООО В: Договор: номер и дата (the basis on the act)']);
  });

  it('the УПД files: an ЭДО participant id of each side, the seller’s from the company or EDO_SELLER_ID', () => {
    const buyers = [
      {
        ...contracted,
        name: 'ООО А',
        vat: '7736207543',
        kpp: '773601001',
        address: 'Москва',
        edoId: false as const,
      },
      { ...contracted, name: 'ООО Б', vat: '7736207543', kpp: '773601001', address: 'Москва' },
    ];
    expect(missingEdoRequisites(complete, undefined, buyers)).toEqual([
      'ООО А: ЭДО: идентификатор участника (Contacts → the company)',
    ]);
    expect(missingEdoRequisites({ ...complete, edoId: false }, ' 2BM-1', [])).toEqual([]);
    expect(missingEdoRequisites({ ...complete, edoId: false }, undefined, [])[0]).toContain('EDO_SELLER_ID');
  });
});

describe('the document templates as workspace items', () => {
  it.each([17, 18, 19])(
    "on %i: five reports on account.move (the invoice's four, the УКД), each with its template",
    (major) => {
      const items = documentItems(capabilitiesFor(major));
      const reports = items.filter((i) => i.model === 'ir.actions.report');
      expect(reports.map((r) => r.values.report_name)).toEqual([
        'rcp_connector.report_rcp_payment_invoice',
        'rcp_connector.report_rcp_act',
        'rcp_connector.report_rcp_vat_invoice',
        'rcp_connector.report_rcp_upd',
        'rcp_connector.report_rcp_ukd',
      ]);
      const templates = items.filter((i) => i.model === 'ir.ui.view' && i.values.type === 'qweb');
      for (const r of reports) expect(templates.map((t) => t.values.key)).toContain(r.values.report_name);
      // Odoo stores arch re-serialised: a `<` or `>` inside an attribute would come back escaped and
      // make every later setup an "update".
      for (const t of templates) expect(String(t.values.arch)).not.toMatch(/="[^"]*[<>][^"]*"/);
    },
  );
});
