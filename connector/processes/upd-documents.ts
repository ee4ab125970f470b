/**
 * The ЭДО files of a month: for each posted RCP invoice of the period (an `account.move` the
 * connector made, known by its external ID `rcp_connector.invoice_<YYYY_MM>_<kind>_<uuid>`), the УПД
 * in the ФНС format 5.03 (mappings/upd-xml.ts), written to a folder, optionally attached to the
 * invoice and gathered in one zip. Figures are Odoo's: the header's totals, and each line as the
 * printed documents print it (the `x_rcp_doc_*` fields setup adds to invoice lines: Odoo's line
 * amounts made to add up to the header, the real quantity, unit and price; one Python computes them
 * for every document, connector/workspace/documents.ts). An invoice missing a requisite gets no
 * file and is named with what is missing and where to enter it; the others are made.
 *
 * Re-running is safe: the same invoice gets the same file GUID, so its file is replaced, and its
 * attachment is updated in place (one per invoice; a second one made by a concurrent run is removed).
 * Signing and sending through an ЭДО operator are out of scope.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invoiceXmlid } from '../../mappings/external-ids.ts';
import { parseInvoiceOrigin } from '../../mappings/invoice-values.ts';
import { Decimal, toKopecks } from '../../mappings/money.ts';
import { isPeriod, periodRange } from '../../mappings/period.ts';
import { UPD_FILE_PREFIX, UPD_RATES, type UpdInput, buildUpd } from '../../mappings/upd-xml.ts';
import { batchesOf } from '../batches.ts';
import type { Config } from '../config.ts';
import { messageOf } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { OdooClient, OdooRecord } from '../odoo/client.ts';
import { externalIds } from '../odoo/external-ids.ts';
import type { FailedRecord } from '../odoo/upsert.ts';
import { readCompanyRequisites } from '../workspace/documents-check.ts';
import { storedZip } from '../zip-store.ts';

export interface UpdDocumentsInput {
  period: string;
  /** The folder the files are written to (made when missing). */
  outDir: string;
  /** Also attach each file to its invoice in Odoo. */
  attach?: boolean;
  /** Also write all of the month's files in one zip (`UPD_<YYYY-MM>.zip`). */
  zip?: boolean;
  /** When the files are made (tests fix it); now otherwise. */
  now?: Date;
}

export interface UpdDocumentsReport {
  period: string;
  files: Array<{ invoice: string; moveId: number; file: string; status: 1 | 2; attachmentId?: number }>;
  zip?: string;
  failed: FailedRecord[];
  /** Posted invoices of the period the connector made (what was looked at). */
  invoices: number;
}

export interface UpdDeps {
  odoo: OdooClient;
  config: Config;
  log?: Logger;
}

/** The connector's name in the file (ВерсПрог, at most 40 characters). */
const PROGRAM = 'rcp-odoo connector';

interface MoveRow extends OdooRecord {
  name: string | false;
  invoice_date: string | false;
  invoice_origin: string | false;
  partner_id: [number, string] | false;
  company_id: [number, string];
  currency_id: [number, string];
  amount_untaxed: number;
  amount_tax: number;
  amount_total: number;
}
interface LineRow extends OdooRecord {
  move_id: [number, string];
  name: string | false;
  tax_ids: number[];
  product_uom_id: [number, string] | false;
  x_rcp_doc_untaxed: number;
  x_rcp_doc_tax: number;
  x_rcp_doc_quantity: string | false;
  x_rcp_doc_unit: string | false;
  x_rcp_doc_price: string | false;
}
interface TaxRow extends OdooRecord {
  name: string;
  amount: number;
  amount_type: string;
}
interface PartnerRow extends OdooRecord {
  name: string;
  vat: string | false;
  street: string | false;
  city: string | false;
  zip: string | false;
  x_rcp_kpp?: string | false;
  x_rcp_edo_id?: string | false;
  x_rcp_contract_number?: string | false;
  x_rcp_contract_date?: string | false;
}

/** Where to enter what the file lacks, by the input's path (mappings/upd-xml.ts). */
const WHERE: Record<string, string> = {
  'seller.edoId':
    'the company’s ЭДО participant id (Settings → Companies → “ЭДО: идентификатор участника”, or EDO_SELLER_ID in .env)',
  'seller.inn': 'ИНН of the company (Settings → Companies → Tax ID)',
  'seller.kpp': 'КПП of the company (Settings → Companies)',
  'seller.address': 'address of the company (Settings → Companies)',
  'buyer.edoId':
    'the buyer’s ЭДО participant id (Contacts → the company → “ЭДО: идентификатор участника”, x_rcp_edo_id)',
  basis: 'the contract’s number and date (Contacts → the company → “Договор: номер”, “Договор: дата”)',
  'buyer.inn': 'ИНН of the buyer (Contacts → Tax ID)',
  'buyer.kpp': 'КПП of the buyer (Contacts)',
  'buyer.address': 'address of the buyer (Contacts)',
  'buyer.person': 'full name of the entrepreneur (Contacts: “ИП Фамилия Имя Отчество”)',
  signer: 'Руководитель (Settings → Companies): “Фамилия Имя Отчество” or “Фамилия И.О.”',
};
const named = (problem: string) => {
  const path = problem.slice(0, problem.indexOf(':'));
  const key = Object.keys(WHERE).find((k) => path === k || path.startsWith(`${k}.`));
  return key ? `${problem} — ${WHERE[key]}` : problem;
};

/** A file GUID that is the same for the same invoice (a v5-style UUID of its external ID and move). */
export function fileGuidOf(xmlid: string, moveId: number): string {
  const hex = createHash('sha1').update(`${xmlid}#${moveId}`).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** Date and time on the wall of `timeZone`. */
function wallClock(now: Date, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}:${parts.second}`,
  };
}

const innOf = (vat: string | false) => (vat ? vat.replace(/^RU/i, '').replace(/\s/g, '') : undefined);
const addressOf = (p: { zip: string | false; city: string | false; street: string | false }) =>
  [p.zip, p.city, p.street].filter(Boolean).join(', ') || undefined;

/** “Иванов Иван Иванович” or “Иванов И.И.” as a person; undefined when it cannot be read as one. */
export function personOf(text: string | false | undefined) {
  if (!text) return undefined;
  const words = text
    .replace(/^(ИП|Индивидуальный предприниматель)\s+/i, '')
    .trim()
    .split(/\s+/);
  const [lastName, ...rest] = words;
  if (!lastName || rest.length === 0) return undefined;
  const given = rest.length === 1 ? (rest[0]?.match(/[^.]+\./g) ?? rest) : rest;
  const [firstName, middleName] = given;
  return firstName ? { lastName, firstName, ...(middleName ? { middleName } : {}) } : undefined;
}

async function fieldsOf(odoo: OdooClient, model: string): Promise<Set<string>> {
  return new Set(Object.keys(await odoo.fieldsGet(model, ['type'])));
}

/** The month's posted RCP invoices, each checked against the connector's external ID. */
async function postedRcpInvoices(
  odoo: OdooClient,
  period: string,
): Promise<Array<MoveRow & { xmlid: string }>> {
  const moves: MoveRow[] = [];
  for await (const page of odoo.searchReadPages<MoveRow>(
    'account.move',
    [
      ['move_type', '=', 'out_invoice'],
      ['state', '=', 'posted'],
      ['invoice_origin', '=like', `RCP ${period} %`],
    ],
    [
      'name',
      'invoice_date',
      'invoice_origin',
      'partner_id',
      'company_id',
      'currency_id',
      'amount_untaxed',
      'amount_tax',
      'amount_total',
    ],
  ))
    moves.push(...page);
  const claimed = moves.flatMap((move) => {
    const origin = parseInvoiceOrigin(move.invoice_origin);
    if (!origin || origin.period !== period) return [];
    return [{ move, xmlid: invoiceXmlid(origin.period, origin.kind, origin.uuid.toLowerCase()) }];
  });
  const found = await externalIds(odoo).resolve(claimed.map((c) => c.xmlid));
  return claimed
    .filter((c) => {
      const target = found.get(c.xmlid);
      return target?.model === 'account.move' && target.id === c.move.id;
    })
    .map((c) => ({ ...c.move, xmlid: c.xmlid }));
}

export async function updDocuments(deps: UpdDeps, input: UpdDocumentsInput): Promise<UpdDocumentsReport> {
  if (!isPeriod(input.period)) throw new Error(`a month YYYY-MM is expected (got "${input.period}")`);
  const { odoo, config } = deps;
  const report: UpdDocumentsReport = { period: input.period, files: [], failed: [], invoices: 0 };
  const moves = await postedRcpInvoices(odoo, input.period);
  report.invoices = moves.length;
  if (moves.length === 0) return report;

  const lines: LineRow[] = [];
  for (const batch of batchesOf(
    moves.map((m) => m.id),
    odoo.config.batchSize,
  ))
    lines.push(
      ...(await odoo.searchRead<LineRow>(
        'account.move.line',
        [
          ['move_id', 'in', batch],
          ['display_type', '=', 'product'],
        ],
        [
          'move_id',
          'name',
          'tax_ids',
          'product_uom_id',
          'x_rcp_doc_untaxed',
          'x_rcp_doc_tax',
          'x_rcp_doc_quantity',
          'x_rcp_doc_unit',
          'x_rcp_doc_price',
        ],
        { order: 'move_id, sequence, id' },
      )),
    );
  const taxes = new Map(
    (
      await odoo.read<TaxRow>(
        'account.tax',
        [...new Set(lines.flatMap((l) => l.tax_ids))],
        ['name', 'amount', 'amount_type'],
      )
    ).map((t) => [t.id, t]),
  );
  const uomFields = await fieldsOf(odoo, 'uom.uom');
  const uoms = new Map(
    (
      await odoo.read<OdooRecord & { name: string; x_rcp_okei?: string | false }>(
        'uom.uom',
        [...new Set(lines.flatMap((l) => (l.product_uom_id ? [l.product_uom_id[0]] : [])))],
        ['name', ...(uomFields.has('x_rcp_okei') ? ['x_rcp_okei'] : [])],
      )
    ).map((u) => [u.id, u]),
  );
  const partnerFields = await fieldsOf(odoo, 'res.partner');
  const partners = new Map(
    (
      await odoo.read<PartnerRow>(
        'res.partner',
        [...new Set(moves.flatMap((m) => (m.partner_id ? [m.partner_id[0]] : [])))],
        [
          'name',
          'vat',
          'street',
          'city',
          'zip',
          ...['x_rcp_kpp', 'x_rcp_edo_id', 'x_rcp_contract_number', 'x_rcp_contract_date'].filter((f) =>
            partnerFields.has(f),
          ),
        ],
      )
    ).map((p) => [p.id, p]),
  );
  const companies = new Map<number, Awaited<ReturnType<typeof readCompanyRequisites>>>();
  const now = input.now ?? new Date();
  const madeAt = wallClock(now, config.schedules?.timezone ?? 'Europe/Moscow');
  const range = periodRange(input.period);
  await mkdir(input.outDir, { recursive: true });
  const written: Array<{ name: string; bytes: Buffer }> = [];

  for (const move of moves) {
    const label = `${move.name || `account.move ${move.id}`} (${move.partner_id ? move.partner_id[1] : 'no customer'})`;
    const fail = (problems: string[]) =>
      report.failed.push({ kind: 'upd', record: label, error: problems.map(named).join('; ') });
    try {
      if (move.currency_id[1] !== 'RUB') {
        fail([`the invoice is in ${move.currency_id[1]}: the УПД is made for invoices in roubles`]);
        continue;
      }
      let company = companies.get(move.company_id[0]);
      if (!company) {
        company = await readCompanyRequisites(odoo, move.company_id[0]);
        companies.set(move.company_id[0], company);
      }
      const own = lines.filter((l) => l.move_id[0] === move.id);
      const problems: string[] = [];
      const rated = own.map((l, i) => {
        const vats = l.tax_ids.map((id) => taxes.get(id));
        if (vats.length > 1) problems.push(`lines.${i}: more than one tax on “${l.name}”`);
        const tax = vats[0];
        if (!tax) return null;
        const rate = new Decimal(tax.amount).toFixed();
        if (tax.amount_type !== 'percent' || !(UPD_RATES as readonly string[]).includes(rate))
          problems.push(
            `lines.${i}: tax “${tax.name}” is not a VAT rate of the format (${UPD_RATES.join(', ')} %)`,
          );
        return rate as (typeof UPD_RATES)[number];
      });
      if (problems.length > 0) {
        fail(problems);
        continue;
      }
      const buyer = move.partner_id ? partners.get(move.partner_id[0]) : undefined;
      const buyerInn = innOf(buyer?.vat ?? false);
      const vatPayer = config.edo?.vatPayer ?? rated.some((r) => r !== null);
      const upd: Record<keyof UpdInput, unknown> = {
        status: vatPayer ? 1 : 2,
        number: move.name || undefined,
        date: move.invoice_date || undefined,
        periodStart: range.start,
        periodEnd: range.end,
        madeAt,
        seller: {
          name: company.name,
          inn: innOf(company.vat),
          kpp: company.kpp || undefined,
          address: company.address || undefined,
          edoId: company.edoId || config.edo?.sellerId,
          person: innOf(company.vat)?.length === 12 ? personOf(company.name) : undefined,
        },
        buyer: {
          name: buyer?.name,
          inn: buyerInn,
          kpp: buyer?.x_rcp_kpp || undefined,
          address: buyer ? addressOf(buyer) : undefined,
          edoId: buyer?.x_rcp_edo_id || undefined,
          person: buyerInn?.length === 12 ? personOf(buyer?.name) : undefined,
        },
        signer: (() => {
          const person = personOf(company.director);
          return person ? { ...person, position: 'Руководитель' } : undefined;
        })(),
        // The contract the services are rendered under (setup's fields on the buyer's company);
        // without them the file says “без документа-основания”.
        basis:
          buyer?.x_rcp_contract_number && buyer.x_rcp_contract_date
            ? { name: 'Договор', number: buyer.x_rcp_contract_number, date: buyer.x_rcp_contract_date }
            : undefined,
        lines: own.map((l, i) => {
          const uom = l.product_uom_id ? uoms.get(l.product_uom_id[0]) : undefined;
          const untaxedKopecks = toKopecks(l.x_rcp_doc_untaxed);
          const taxKopecks = toKopecks(l.x_rcp_doc_tax);
          return {
            name: l.name || undefined,
            // The unit's ОКЕИ code only when the printed unit is that unit ("ГБ×час" is not "ГБ").
            okei: (l.x_rcp_doc_unit === uom?.name && uom?.x_rcp_okei) || undefined,
            unitName: l.x_rcp_doc_unit || uom?.name || undefined,
            quantity: l.x_rcp_doc_quantity || undefined,
            price: l.x_rcp_doc_price || undefined,
            rate: rated[i],
            untaxedKopecks,
            taxKopecks,
            totalKopecks: untaxedKopecks + taxKopecks,
          };
        }),
        totals: {
          untaxedKopecks: toKopecks(move.amount_untaxed),
          taxKopecks: toKopecks(move.amount_tax),
          totalKopecks: toKopecks(move.amount_total),
        },
        fileGuid: fileGuidOf(move.xmlid, move.id),
        programVersion: PROGRAM,
      };
      const built = buildUpd(upd);
      if (!built.ok) {
        fail(built.problems);
        continue;
      }
      const path = join(input.outDir, built.fileName);
      const temporary = `${path}.${randomUUID()}.tmp`;
      await writeFile(temporary, built.bytes);
      await rename(temporary, path);
      written.push({ name: built.fileName, bytes: built.bytes });
      const attachmentId = input.attach
        ? await attachTo(odoo, move.id, built.fileName, built.bytes)
        : undefined;
      report.files.push({
        invoice: label,
        moveId: move.id,
        file: path,
        status: upd.status as 1 | 2,
        ...(attachmentId ? { attachmentId } : {}),
      });
    } catch (error) {
      fail([messageOf(error)]);
    }
  }
  if (input.zip && written.length > 0) {
    const zipPath = join(input.outDir, `UPD_${input.period}.zip`);
    const temporary = `${zipPath}.${randomUUID()}.tmp`;
    await writeFile(temporary, storedZip(written, now));
    await rename(temporary, zipPath);
    report.zip = zipPath;
  }
  return report;
}

/**
 * The file as the invoice's attachment: the one УПД attachment of the invoice is updated in place
 * (name and content) or made; when two runs made one each at once, the later is removed.
 */
async function attachTo(odoo: OdooClient, moveId: number, name: string, bytes: Buffer): Promise<number> {
  const ours = () =>
    odoo.searchRead<OdooRecord & { name: string; checksum: string | false }>(
      'ir.attachment',
      [
        ['res_model', '=', 'account.move'],
        ['res_id', '=', moveId],
        ['name', '=like', `${UPD_FILE_PREFIX}_%`],
      ],
      ['name', 'checksum'],
      { order: 'id asc' },
    );
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  const [existing] = await ours();
  if (existing) {
    if (existing.name !== name || existing.checksum !== sha1)
      await odoo.write('ir.attachment', [existing.id], { name, datas: bytes.toString('base64') });
    return existing.id;
  }
  const [id] = await odoo.create('ir.attachment', [
    {
      name,
      res_model: 'account.move',
      res_id: moveId,
      type: 'binary',
      mimetype: 'application/xml',
      datas: bytes.toString('base64'),
    },
  ]);
  const after = await ours();
  const [first, ...later] = after;
  if (later.length > 0)
    await odoo.unlinkExisting(
      'ir.attachment',
      later.map((a) => a.id),
    );
  return first?.id ?? (id as number);
}
