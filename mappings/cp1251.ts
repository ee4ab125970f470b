/**
 * windows-1251, exactly, without a dependency: the table is Node's own decoder of that code page
 * (WHATWG `TextDecoder('windows-1251')`), read once and reversed. ASCII stays as it is; a character
 * the code page lacks (`×`, `≤`, a Latin letter with a diacritic…) becomes an XML character
 * reference (`&#215;`), which every XML reader turns back into the character: callers only ever
 * encode XML whose markup is ASCII and Cyrillic, so a reference only ever lands in text or an
 * attribute value, where it is allowed.
 */

let table: Map<string, number> | undefined;

function reverseTable(): Map<string, number> {
  if (table) return table;
  const decoder = new TextDecoder('windows-1251');
  table = new Map();
  for (let byte = 0x80; byte <= 0xff; byte++) {
    const char = decoder.decode(Uint8Array.of(byte));
    if (char !== '\ufffd') table.set(char, byte);
  }
  return table;
}

/** XML text as windows-1251 bytes; characters outside the code page as `&#N;` references. */
export function encodeXmlCp1251(xml: string): Buffer {
  const map = reverseTable();
  const bytes: number[] = [];
  for (const char of xml) {
    const code = char.codePointAt(0) as number;
    if (code < 0x80) {
      bytes.push(code);
      continue;
    }
    const byte = map.get(char);
    if (byte !== undefined) bytes.push(byte);
    else for (const c of `&#${code};`) bytes.push(c.charCodeAt(0));
  }
  return Buffer.from(bytes);
}

/** windows-1251 bytes as text (character references are left for the XML reader). */
export function decodeCp1251(bytes: Uint8Array): string {
  return new TextDecoder('windows-1251').decode(bytes);
}
