import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput } from '../../connector/cli/output.ts';
import { visibleControls, withoutControls, withoutControlsDeep } from '../../mappings/safe-text.ts';

describe('text from RCP, made safe for Odoo and for a terminal', () => {
  it.each([
    ['ООО «Ромашка»', 'ООО «Ромашка»'],
    ['Acme\u0000 Ltd', 'Acme Ltd'],
    ['\u001b[31mRed\u001b[0m Corp', 'Red Corp'],
    ['Bell\u0007 and\u001b]0;title\u0007 tab\tkept', 'Bell and0;title tab\tkept'],
    ['two\nlines\r\nkept', 'two\nlines\r\nkept'],
    ['C1\u009b31m and DEL\u007f', 'C131m and DEL'],
    ['', ''],
  ])('withoutControls(%j) is %j', (given, expected) => {
    expect(withoutControls(given)).toBe(expected);
  });

  it('cleans every string of a record, nested, and leaves other values as they are', () => {
    const record = {
      id: '5f0c2b1e-0000-4000-8000-000000000001',
      name: 'A\u0000B',
      balance: -1.5,
      locked: false,
      partner: null,
      contact_emails: [{ email: 'x@\u001b[1my.ru' }],
      address: { street: 'Ленина\u0000, 1' },
    };
    expect(withoutControlsDeep(record)).toEqual({
      id: '5f0c2b1e-0000-4000-8000-000000000001',
      name: 'AB',
      balance: -1.5,
      locked: false,
      partner: null,
      contact_emails: [{ email: 'x@y.ru' }],
      address: { street: 'Ленина, 1' },
    });
  });

  it.each([
    ['Acme\u0000 Ltd', 'Acme\\x00 Ltd'],
    ['\u001b[31mRed', '\\x1b[31mRed'],
    ['over\rwrite', 'over\\x0dwrite'],
    ['line\nand\ttab', 'line\nand\ttab'],
  ])('a terminal is shown %j as %j', (given, expected) => {
    expect(visibleControls(given)).toBe(expected);
  });

  it('a command’s summary prints a name’s escape sequence as text, and --json stays valid JSON', () => {
    const read = (json: boolean) => {
      const out = new PassThrough();
      const chunks: string[] = [];
      out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
      createOutput(json, out).result({ name: 'Evil\u001b[2J' }, 'client  Evil\u001b[2J  failed');
      return chunks.join('');
    };
    const text = read(false);
    expect(text).toBe('client  Evil\\x1b[2J  failed\n');
    expect(text).not.toContain('\u001b');
    expect(JSON.parse(read(true))).toEqual({ name: 'Evil\u001b[2J' });
    expect(read(true)).not.toContain('\u001b');
  });
});
