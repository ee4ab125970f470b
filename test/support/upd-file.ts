import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The ФНС schema of the УПД 5.03 (see test/fixtures/fns/README.md). */
export const UPD_XSD = new URL('../fixtures/fns/ON_NSCHFDOPPR_1_997_01_05_03_05.xsd', import.meta.url)
  .pathname;

/** `xmllint --schema` on the file as it would be sent (its own name, its own bytes). */
export function xmllintUpd(bytes: Uint8Array, fileName: string): { valid: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'upd-'));
  const file = join(dir, fileName);
  writeFileSync(file, bytes);
  try {
    execFileSync('xmllint', ['--noout', '--schema', UPD_XSD, file], { stdio: 'pipe' });
    return { valid: true, output: '' };
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    return { valid: false, output: e.stderr?.toString() || e.message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kop = (text: string | undefined) => {
  if (text === undefined) throw new Error('figure missing');
  if (!/^\d+\.\d{2}$/.test(text)) throw new Error(`not an amount with kopecks: ${text}`);
  return Number(text.replace('.', ''));
};
const attrOf = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];

/** The figures of a УПД read back from its windows-1251 bytes, in kopecks. */
export function readUpdFigures(bytes: Uint8Array) {
  const xml = new TextDecoder('windows-1251').decode(bytes);
  if (!xml.startsWith('<?xml version="1.0" encoding="windows-1251"?>'))
    throw new Error('not a windows-1251 XML');
  const lines = [...xml.matchAll(/<СведТов ([^>]*)>([\s\S]*?)<\/СведТов>/g)].map((m) => {
    const tag = m[1] as string;
    const body = m[2] as string;
    const tax = /<СумНал>\s*<СумНал>([^<]*)<\/СумНал>/.exec(body)?.[1];
    return {
      name: attrOf(tag, 'НаимТов'),
      rate: attrOf(tag, 'НалСт'),
      quantity: attrOf(tag, 'КолТов'),
      price: attrOf(tag, 'ЦенаТов'),
      untaxed: kop(attrOf(tag, 'СтТовБезНДС')),
      tax: tax === undefined ? 0 : kop(tax),
      withoutVat: /<БезНДС>без НДС<\/БезНДС>/.test(body),
      total: kop(attrOf(tag, 'СтТовУчНал')),
    };
  });
  const all = /<ВсегоОпл ([^>]*)>([\s\S]*?)<\/ВсегоОпл>/.exec(xml);
  if (!all) throw new Error('no ВсегоОпл');
  const totalTax = /<СумНал>([^<]*)<\/СумНал>/.exec(all[2] as string)?.[1];
  return {
    xml,
    idFile: attrOf(/<Файл [^>]*>/.exec(xml)?.[0] ?? '', 'ИдФайл'),
    function: attrOf(/<Документ [^>]*>/.exec(xml)?.[0] ?? '', 'Функция'),
    number: attrOf(/<СвСчФакт [^>]*>/.exec(xml)?.[0] ?? '', 'НомерДок'),
    lines,
    untaxed: kop(attrOf(all[1] as string, 'СтТовБезНДСВсего')),
    tax: totalTax === undefined ? 0 : kop(totalTax),
    total: kop(attrOf(all[1] as string, 'СтТовУчНалВсего')),
  };
}
