import { describe, expect, it } from 'vitest';
import { decodeCp1251, encodeXmlCp1251 } from '../../mappings/cp1251.ts';
import { type UpdInput, buildUpd, unitPrice } from '../../mappings/upd-xml.ts';
import { readUpdFigures, xmllintUpd } from '../support/upd-file.ts';

/** A month of services with 22 % VAT added on top (the general rate from 2026). */
function vatInput(): UpdInput {
  const lines = [
    {
      name: 'Хранение ГБ×час (S3, стандарт)',
      quantity: '2554560',
      untaxed: 868_551,
      okei: undefined,
      unit: 'ГБ×час',
    },
    { name: 'Лицензия «Windows Server» № 1', quantity: '4', untaxed: 399_999, okei: '796', unit: 'шт' },
    { name: 'IP-адрес & <публичный>', quantity: '7', untaxed: 69_999, okei: '796', unit: 'шт' },
  ];
  const taxed = lines.map((l) => {
    const tax = Math.round((l.untaxed * 22) / 100);
    return {
      name: l.name,
      okei: l.okei,
      unitName: l.unit,
      quantity: l.quantity,
      untaxedKopecks: l.untaxed,
      rate: '22' as const,
      taxKopecks: tax,
      totalKopecks: l.untaxed + tax,
    };
  });
  const sum = (k: 'untaxedKopecks' | 'taxKopecks' | 'totalKopecks') => taxed.reduce((s, l) => s + l[k], 0);
  return {
    status: 1,
    number: 'INV/2026/00042',
    date: '2026-05-31',
    periodStart: '2026-05-01',
    periodEnd: '2026-05-31',
    madeAt: { date: '2026-06-01', time: '09:05:07' },
    seller: {
      name: 'ООО "Облако"',
      inn: '7707083893',
      kpp: '773601001',
      address: '117312, Москва, ул. Вавилова, 19',
      edoId: '2BM-7707083893-773601001-201411170000000000000',
    },
    buyer: {
      name: 'ООО «Ромашка»',
      inn: '7736207543',
      kpp: '773601001',
      address: '119021, Москва, ул. Льва Толстого, 16',
      edoId: '2AE-7736207543-773601001-000000000000000000001',
    },
    signer: { lastName: 'Иванов', firstName: 'Иван', middleName: 'Иванович', position: 'Руководитель' },
    lines: taxed,
    totals: {
      untaxedKopecks: sum('untaxedKopecks'),
      taxKopecks: sum('taxKopecks'),
      totalKopecks: sum('totalKopecks'),
    },
    fileGuid: '8c703486-75df-46f8-8f0a-959b09f807a9',
    programVersion: 'rcp-odoo 1.0',
  };
}

function built(input: unknown) {
  const result = buildUpd(input);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result;
}

describe('УПД 5.03 (mappings/upd-xml)', () => {
  it('VAT 22 % on top, status 1: valid against the ФНС schema, every line and total adds up, named as the format requires', () => {
    const input = vatInput();
    const file = built(input);
    expect(xmllintUpd(file.bytes, file.fileName)).toEqual({ valid: true, output: '' });
    expect(file.fileName).toBe(
      'ON_NSCHFDOPPR_2AE-7736207543-773601001-000000000000000000001_2BM-7707083893-773601001-201411170000000000000_20260601_8c703486-75df-46f8-8f0a-959b09f807a9_0_0_0_0_0_00.xml',
    );
    const read = readUpdFigures(file.bytes);
    expect(read.idFile).toBe(file.idFile);
    expect(read.function).toBe('СЧФДОП');
    expect(read.number).toBe('INV/2026/00042');
    expect(read.lines.map((l) => l.rate)).toEqual(['22%', '22%', '22%']);
    for (const l of read.lines) {
      expect(l.untaxed + l.tax).toBe(l.total);
      // VAT on top: 22 % of the line, to the kopeck (half up).
      expect(l.tax).toBe(Math.round((l.untaxed * 22) / 100));
    }
    expect(read.lines.reduce((s, l) => s + l.untaxed, 0)).toBe(read.untaxed);
    expect(read.lines.reduce((s, l) => s + l.tax, 0)).toBe(read.tax);
    expect(read.lines.reduce((s, l) => s + l.total, 0)).toBe(read.total);
    expect([read.untaxed, read.tax, read.total]).toEqual([
      input.totals.untaxedKopecks,
      input.totals.taxKopecks,
      input.totals.totalKopecks,
    ]);
    expect(read.untaxed + read.tax).toBe(read.total);
    // Names and signs survive windows-1251 (and the XML escaping) exactly.
    expect(read.lines[2]?.name).toBe('IP-адрес &amp; &lt;публичный&gt;');
    expect(read.xml).toContain('НаимОрг="ООО «Ромашка»"');
    expect(read.xml).toContain('НаимТов="Лицензия «Windows Server» № 1"');
  });

  it('the real quantity and a price that gives the line amount; ОКЕИ only where known', () => {
    const read = readUpdFigures(built(vatInput()).bytes);
    expect(read.lines.map((l) => [l.quantity, l.price])).toEqual([
      ['2554560', '0.00340000235'],
      ['4', '999.9975'],
      ['7', '99.99857142857'],
    ]);
    for (const l of read.lines) {
      const product = Number(l.quantity) * Number(l.price);
      expect(Math.abs(product - l.untaxed / 100)).toBeLessThan(0.01);
    }
    expect(read.xml).not.toMatch(/ОКЕИ_Тов="[^"]*" НаимЕдИзм="ГБ×час"/);
    expect(read.xml).toContain('ОКЕИ_Тов="796" НаимЕдИзм="шт"');
    expect(unitPrice(100, '0')).toBeUndefined();
  });

  it('the price the printed documents show, when given, is the file’s (the fewest decimals that give the amount)', () => {
    const input = vatInput();
    const [first, ...rest] = input.lines;
    const read = readUpdFigures(
      built({ ...input, lines: [{ ...first, price: '0.003400002' }, ...rest] } as UpdInput).bytes,
    );
    expect(read.lines[0]?.price).toBe('0.003400002');
  });

  it('the bytes are windows-1251 with a windows-1251 prolog, not UTF-8', () => {
    const file = built(vatInput());
    expect(file.bytes.subarray(0, 44).toString('latin1')).toBe(
      '<?xml version="1.0" encoding="windows-1251"?>'.slice(0, 44),
    );
    // "Файл" in windows-1251: D4 E0 E9 EB.
    expect(file.bytes.includes(Buffer.from([0xd4, 0xe0, 0xe9, 0xeb]))).toBe(true);
    expect(file.bytes.includes(Buffer.from('Файл', 'utf8'))).toBe(false);
    // "×" is not in windows-1251: a character reference, which the schema check above read as ×.
    expect(decodeCp1251(file.bytes)).toContain('НаимЕдИзм="ГБ&#215;час"');
  });

  it('a seller without VAT: status 2 (ДОП), lines and totals “без НДС”, valid', () => {
    const input = vatInput();
    const lines = input.lines.map((l) => ({
      ...l,
      rate: null,
      taxKopecks: 0,
      totalKopecks: l.untaxedKopecks,
    }));
    const untaxed = lines.reduce((s, l) => s + l.untaxedKopecks, 0);
    const file = built({
      ...input,
      status: 2,
      lines,
      totals: { untaxedKopecks: untaxed, taxKopecks: 0, totalKopecks: untaxed },
    });
    expect(xmllintUpd(file.bytes, file.fileName)).toEqual({ valid: true, output: '' });
    const read = readUpdFigures(file.bytes);
    expect(read.function).toBe('ДОП');
    expect(read.xml).toContain('НаимДокОпр="Документ об отгрузке товаров');
    expect(read.lines.every((l) => l.rate === 'без НДС' && l.withoutVat && l.untaxed === l.total)).toBe(true);
    expect(read.xml).toMatch(/<СумНалВсего>\s*<БезНДС>без НДС<\/БезНДС>/);
    expect([read.untaxed, read.total]).toEqual([untaxed, untaxed]);
  });

  it('an entrepreneur buyer (12-digit ИНН) is a person; a contract basis is printed when given', () => {
    const input = vatInput();
    const file = built({
      ...input,
      buyer: {
        ...input.buyer,
        inn: '500100732259',
        kpp: undefined,
        person: { lastName: 'Петров', firstName: 'Пётр' },
      },
      basis: { name: 'Договор', number: 'RCP-17', date: '2025-01-15' },
    });
    expect(xmllintUpd(file.bytes, file.fileName).valid).toBe(true);
    expect(file.xml).toContain('<СвИП ИННФЛ="500100732259">');
    expect(file.xml).toContain(
      '<ОснПер РеквНаимДок="Договор" РеквНомерДок="RCP-17" РеквДатаДок="15.01.2025"/>',
    );
  });

  it('a missing requisite is named and no file is made', () => {
    const input = vatInput();
    const result = buildUpd({
      ...input,
      seller: { ...input.seller, inn: '', edoId: undefined },
      buyer: { ...input.buyer, kpp: undefined },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^seller\.inn: /),
        expect.stringMatching(/^seller\.edoId: /),
        'buyer.kpp: missing',
      ]),
    );
    expect(result).not.toHaveProperty('bytes');
  });

  it('lines that do not add up to the totals are refused, named', () => {
    const input = vatInput();
    const result = buildUpd({
      ...input,
      totals: { ...input.totals, taxKopecks: input.totals.taxKopecks + 1 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toContain('totals.taxKopecks: the lines add up to');
    const badLine = { ...input.lines[0], totalKopecks: (input.lines[0]?.totalKopecks ?? 0) + 1 };
    const second = buildUpd({ ...input, lines: [badLine, ...input.lines.slice(1)] });
    expect(second.ok ? [] : second.problems).toContain(
      'lines.0.totalKopecks: untaxed + VAT is not the line total',
    );
  });

  it('the schema check fails on an invalid file (so the checks above can fail)', () => {
    const file = built(vatInput());
    const broken = decodeCp1251(file.bytes).replace(' НалСт="22%"', ' НалСт="23%"');
    const result = xmllintUpd(encodeXmlCp1251(broken), file.fileName);
    expect(result.valid).toBe(false);
    expect(result.output).toContain('НалСт');
    const noVersion = decodeCp1251(file.bytes).replace('ВерсФорм="5.03"', 'ВерсФорм="5.01"');
    expect(xmllintUpd(encodeXmlCp1251(noVersion), file.fileName).valid).toBe(false);
  });
});

describe('windows-1251 (mappings/cp1251)', () => {
  it('every letter of the Russian alphabet and the usual signs round-trip; others become references', () => {
    const text = 'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя№«»—–…€ abc 123';
    expect(decodeCp1251(encodeXmlCp1251(text))).toBe(text);
    expect([...encodeXmlCp1251('Аа Яя Ёё')]).toEqual([0xc0, 0xe0, 0x20, 0xdf, 0xff, 0x20, 0xa8, 0xb8]);
    expect(decodeCp1251(encodeXmlCp1251('ГБ×час ≤ 5'))).toBe('ГБ&#215;час &#8804; 5');
  });
});
