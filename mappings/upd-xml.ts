/**
 * The УПД (универсальный передаточный документ) as the ФНС exchange file, format 5.03 (приказ ФНС
 * ЕД-7-26/970@ of 19.12.2023, schema ON_NSCHFDOPPR_1_997_01_05_03): status 1 (Функция СЧФДОП,
 * счёт-фактура and передаточный документ) when the seller is a VAT payer, 2 (ДОП, передаточный
 * документ only) otherwise. Pure: validated inputs in, the file's name and its windows-1251 bytes out.
 *
 * Inputs are parsed with zod first; any missing or malformed requisite is named and no file is made
 * from partial inputs. Money is integer kopecks; each line's figures and the totals must add up to
 * the kopeck (line untaxed + VAT = line total; lines sum to the totals), or nothing is made.
 * The connector gives it the lines as the printed documents print them (the `x_rcp_doc_*` fields of
 * Odoo's invoice lines, whose one Python makes Odoo's line figures add up to Odoo's header).
 */
import { z } from 'zod';
import { encodeXmlCp1251 } from './cp1251.ts';
import { Decimal, kopecksToDecimal } from './money.ts';

export const UPD_VERSION = '5.03';
export const UPD_KND = '1115131';
/** What the file name starts with: the exchange file of the seller's information (УПД). */
export const UPD_FILE_PREFIX = 'ON_NSCHFDOPPR';

/** Names of the document the format expects in НаимДокОпр / ПоФактХЖ. */
const DOC_NAME = {
  1: 'Счет-фактура и документ об отгрузке товаров (выполнении работ), передаче имущественных прав (документ об оказании услуг)',
  2: 'Документ об отгрузке товаров (выполнении работ), передаче имущественных прав (документ об оказании услуг)',
} as const;
const FACT_NAME =
  'Документ об отгрузке товаров (выполнении работ), передаче имущественных прав (документ об оказании услуг)';

/** The VAT rates the format names (НалСт), as the percent a tax carries in Odoo. */
export const UPD_RATES = ['0', '5', '7', '10', '20', '22'] as const;

const text = (max: number) => z.string().trim().min(1, 'missing').max(max, `longer than ${max} characters`);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const kopecks = z.number().int().nonnegative();
const decimalText = z
  .string()
  .regex(/^\d{1,15}(\.\d{1,11})?$/, 'a non-negative decimal with at most 11 decimals');

const Person = z.object({ lastName: text(60), firstName: text(60), middleName: text(60).optional() });

export const UpdParty = z
  .object({
    name: text(1000),
    /** ИНН: 10 digits for an organisation, 12 for an individual entrepreneur. */
    inn: z.string().regex(/^(\d{10}|\d{12})$/, 'ИНН: 10 digits (organisation) or 12 (entrepreneur)'),
    kpp: z
      .string()
      .regex(/^\d{4}[0-9A-Z]{2}\d{3}$/, 'КПП: 9 characters')
      .optional(),
    address: text(1000),
    /** The participant's id at its ЭДО operator (e.g. `2BM-7707083893-773601001-…`). */
    edoId: z.string().regex(/^[0-9A-Za-z-]{4,46}$/, 'ЭДО participant id: 4–46 letters, digits or -'),
    /** An entrepreneur's name, as the person (their ИНН has 12 digits). */
    person: Person.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.inn.length === 10 && !p.kpp) ctx.addIssue({ code: 'custom', path: ['kpp'], message: 'missing' });
    if (p.inn.length === 12 && !p.person)
      ctx.addIssue({ code: 'custom', path: ['person'], message: 'an entrepreneur needs a full name' });
  });
export type UpdParty = z.infer<typeof UpdParty>;

export const UpdLine = z
  .object({
    name: text(2000),
    /** ОКЕИ code of the unit, when known (e.g. 796 pieces, 2553 gigabyte). */
    okei: z
      .string()
      .regex(/^\d{3,4}$/, 'ОКЕИ: 3 or 4 digits')
      .optional(),
    unitName: text(255).optional(),
    quantity: decimalText,
    /** The unit price as the printed documents show it; the untaxed amount over the quantity otherwise. */
    price: decimalText.optional(),
    untaxedKopecks: kopecks,
    /** VAT rate in percent; null: the line is without VAT (“без НДС”). */
    rate: z.enum(UPD_RATES).nullable(),
    taxKopecks: kopecks,
    totalKopecks: kopecks,
  })
  .superRefine((l, ctx) => {
    if (l.untaxedKopecks + l.taxKopecks !== l.totalKopecks)
      ctx.addIssue({
        code: 'custom',
        path: ['totalKopecks'],
        message: 'untaxed + VAT is not the line total',
      });
    if (l.rate === null && l.taxKopecks !== 0)
      ctx.addIssue({ code: 'custom', path: ['taxKopecks'], message: 'VAT on a line without a VAT rate' });
  });
export type UpdLine = z.infer<typeof UpdLine>;

export const UpdInput = z
  .object({
    /** 1: счёт-фактура + передаточный документ (a VAT payer); 2: передаточный документ only. */
    status: z.union([z.literal(1), z.literal(2)]),
    number: text(1000),
    date: isoDate,
    /** The period the services were rendered in. */
    periodStart: isoDate,
    periodEnd: isoDate,
    /** When the file is made (the seller's local date and time). */
    madeAt: z.object({ date: isoDate, time: z.string().regex(/^\d{2}:\d{2}:\d{2}$/, 'HH:MM:SS') }),
    seller: UpdParty,
    buyer: UpdParty,
    signer: Person.extend({ position: text(255) }),
    /** The contract the services were rendered under; without it the file says “без документа-основания”. */
    basis: z.object({ name: text(255), number: text(255), date: isoDate }).optional(),
    lines: z.array(UpdLine).min(1, 'an invoice without lines'),
    totals: z.object({ untaxedKopecks: kopecks, taxKopecks: kopecks, totalKopecks: kopecks }),
    /** The file's GUID (the same invoice gets the same one: a re-run replaces its file). */
    fileGuid: z.string().uuid(),
    programVersion: text(40),
  })
  .superRefine((u, ctx) => {
    const sum = (pick: (l: UpdLine) => number) => u.lines.reduce((s, l) => s + pick(l), 0);
    const checks: Array<[keyof typeof u.totals, number]> = [
      ['untaxedKopecks', sum((l) => l.untaxedKopecks)],
      ['taxKopecks', sum((l) => l.taxKopecks)],
      ['totalKopecks', sum((l) => l.totalKopecks)],
    ];
    for (const [key, lines] of checks)
      if (lines !== u.totals[key])
        ctx.addIssue({
          code: 'custom',
          path: ['totals', key],
          message: `the lines add up to ${lines}, the total is ${u.totals[key]} (kopecks)`,
        });
    if (u.totals.untaxedKopecks + u.totals.taxKopecks !== u.totals.totalKopecks)
      ctx.addIssue({ code: 'custom', path: ['totals'], message: 'untaxed + VAT is not the total' });
  });
export type UpdInput = z.infer<typeof UpdInput>;

export type UpdResult =
  | { ok: true; idFile: string; fileName: string; xml: string; bytes: Buffer }
  | { ok: false; problems: string[] };

/** The file, or every problem of the inputs (`seller.edoId: missing`), and then no file. */
export function buildUpd(raw: unknown): UpdResult {
  const parsed = UpdInput.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`),
    };
  const input = parsed.data;
  const idFile = updIdFile(input);
  const xml = updXml(input, idFile);
  return { ok: true, idFile, fileName: `${idFile}.xml`, xml, bytes: encodeXmlCp1251(xml) };
}

/** `ON_NSCHFDOPPR_<receiver>_<sender>_<YYYYMMDD>_<GUID>_0_0_0_0_0_00` (no marked goods, no extra parts). */
export function updIdFile(input: Pick<UpdInput, 'buyer' | 'seller' | 'madeAt' | 'fileGuid'>): string {
  const day = input.madeAt.date.replaceAll('-', '');
  return `${UPD_FILE_PREFIX}_${input.buyer.edoId}_${input.seller.edoId}_${day}_${input.fileGuid}_0_0_0_0_0_00`;
}

const ruDate = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
const money = (k: number) => kopecksToDecimal(k).toFixed(2);

/** An attribute value: the five XML specials and the whitespace a parser would fold. */
function attr(value: string): string {
  return value.replace(
    /[&<>"\t\n\r]/g,
    (c) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' })[
        c
      ] ?? c,
  );
}

function element(name: string, attrs: Record<string, string | undefined>, children: string[] = []): string {
  const list = Object.entries(attrs)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${attr(v)}"`)
    .join('');
  if (children.length === 0) return `<${name}${list}/>`;
  return `<${name}${list}>\n${children.map((c) => indent(c)).join('\n')}\n</${name}>`;
}
const indent = (block: string) =>
  block
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
const textElement = (name: string, value: string) => `<${name}>${attr(value)}</${name}>`;

function party(tag: string, p: UpdParty): string {
  const id =
    p.inn.length === 12 && p.person
      ? element('СвИП', { ИННФЛ: p.inn }, [
          element('ФИО', {
            Фамилия: p.person.lastName,
            Имя: p.person.firstName,
            Отчество: p.person.middleName,
          }),
        ])
      : element('СвЮЛУч', { НаимОрг: p.name, ИННЮЛ: p.inn, КПП: p.kpp });
  return element(tag, {}, [
    element('ИдСв', {}, [id]),
    element('Адрес', {}, [element('АдрИнф', { КодСтр: '643', НаимСтран: 'Россия', АдрТекст: p.address })]),
  ]);
}

const vat = (tag: string, rated: boolean, taxKopecks: number) =>
  element(tag, {}, [rated ? textElement('СумНал', money(taxKopecks)) : textElement('БезНДС', 'без НДС')]);

/** The price of one unit without VAT: the line's untaxed amount over its quantity, to 11 decimals. */
export function unitPrice(untaxedKopecks: number, quantity: string): string | undefined {
  const q = new Decimal(quantity);
  if (q.isZero()) return undefined;
  return kopecksToDecimal(untaxedKopecks).div(q).toDecimalPlaces(11, Decimal.ROUND_HALF_UP).toFixed();
}

function line(l: UpdLine, index: number): string {
  // A quantity goes with a price above zero (the format's condition): a line of no amount has neither.
  const hasQuantity = !new Decimal(l.quantity).isZero() && l.untaxedKopecks > 0;
  return element(
    'СведТов',
    {
      НомСтр: String(index + 1),
      НаимТов: l.name,
      // ОКЕИ asks for a quantity beside it (format's condition): only on a line that has one.
      ОКЕИ_Тов: hasQuantity ? l.okei : undefined,
      НаимЕдИзм: l.unitName,
      КолТов: hasQuantity ? new Decimal(l.quantity).toFixed() : undefined,
      ЦенаТов: hasQuantity ? (l.price ?? unitPrice(l.untaxedKopecks, l.quantity)) : undefined,
      СтТовБезНДС: money(l.untaxedKopecks),
      НалСт: l.rate === null ? 'без НДС' : `${l.rate}%`,
      СтТовУчНал: money(l.totalKopecks),
    },
    [
      element('Акциз', {}, [textElement('БезАкциз', 'без акциза')]),
      vat('СумНал', l.rate !== null, l.taxKopecks),
    ],
  );
}

function updXml(u: UpdInput, idFile: string): string {
  const docName = DOC_NAME[u.status];
  const anyRated = u.lines.some((l) => l.rate !== null);
  const document = element(
    'Документ',
    {
      КНД: UPD_KND,
      Функция: u.status === 1 ? 'СЧФДОП' : 'ДОП',
      ПоФактХЖ: FACT_NAME,
      НаимДокОпр: docName,
      ДатаИнфПр: ruDate(u.madeAt.date),
      ВремИнфПр: u.madeAt.time.replaceAll(':', '.'),
      НаимЭконСубСост: `${u.seller.name}, ИНН ${u.seller.inn}`,
    },
    [
      element('СвСчФакт', { НомерДок: u.number, ДатаДок: ruDate(u.date) }, [
        party('СвПрод', u.seller),
        element('ДокПодтвОтгрНом', {
          РеквНаимДок: docName,
          РеквНомерДок: u.number,
          РеквДатаДок: ruDate(u.date),
        }),
        party('СвПокуп', u.buyer),
        element('ДенИзм', { КодОКВ: '643', НаимОКВ: 'Российский рубль' }),
      ]),
      element('ТаблСчФакт', {}, [
        ...u.lines.map(line),
        element(
          'ВсегоОпл',
          { СтТовБезНДСВсего: money(u.totals.untaxedKopecks), СтТовУчНалВсего: money(u.totals.totalKopecks) },
          [vat('СумНалВсего', anyRated, u.totals.taxKopecks)],
        ),
      ]),
      element('СвПродПер', {}, [
        element(
          'СвПер',
          {
            СодОпер: 'Услуги оказаны в полном объеме',
            ДатаНачПер: ruDate(u.periodStart),
            ДатаОконПер: ruDate(u.periodEnd),
          },
          [
            u.basis
              ? element('ОснПер', {
                  РеквНаимДок: u.basis.name,
                  РеквНомерДок: u.basis.number,
                  РеквДатаДок: ruDate(u.basis.date),
                })
              : textElement('БезДокОснПер', '1'),
          ],
        ),
      ]),
      element('Подписант', { Должн: u.signer.position, СпосПодтПолном: '1' }, [
        element('ФИО', {
          Фамилия: u.signer.lastName,
          Имя: u.signer.firstName,
          Отчество: u.signer.middleName,
        }),
      ]),
    ],
  );
  const file = element('Файл', { ИдФайл: idFile, ВерсФорм: UPD_VERSION, ВерсПрог: u.programVersion }, [
    document,
  ]);
  return `<?xml version="1.0" encoding="windows-1251"?>\n${file}\n`;
}
