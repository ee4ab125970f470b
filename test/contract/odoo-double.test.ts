import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSIONS, useOdooDouble } from '../support/odoo.ts';

/**
 * The double is checked against what real servers answered: each self-contained recorded request
 * is replayed to a fresh double, which must answer with the same HTTP status, the same exception
 * and message, or a result of the same shape.
 */
const CONTRACT = resolve('test/fixtures/odoo-contract');

/** Recordings that need no records made by earlier calls. */
const SELF_CONTAINED = [
  'version_info',
  'common_login_ok',
  'common_login_bad_password',
  'common_login_apikey',
  'execute_kw_bad_password',
  'execute_kw_apikey',
  'login_unknown_db',
  'create_unknown_field',
  'create_bad_selection',
  'create_partner_no_name',
  'create_partner_single',
  'create_many_partners',
  'unknown_model',
  'private_method',
  'read_missing_record',
  'read_unknown_field',
  'search_count',
  'imd_check_object_reference_missing',
  'load_xmlid_create',
  'load_error_row',
  'json2_absent',
  'json2_bad_key',
  'json2_no_key',
  'json2_unknown_model',
  'json2_unknown_field',
  'json2_create_single_dict',
  'json2_create_many',
  'json2_search_count',
  'json2_private_method',
  'json2_missing_name',
  'json2_context',
  'json2_read_missing',
  'json2_load_xmlid',
  'json2_search_read',
];

interface Transcript {
  request: { path: string; headers?: Record<string, string>; body: unknown };
  status: number;
  answer: unknown;
}

function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? ['array', shape(value[0])] : ['array'];
  if (value && typeof value === 'object') return Object.keys(value).sort();
  return value === null ? 'null' : typeof value;
}

describe.each(VERSIONS)('the Odoo %s double answers as the recorded server did', (version) => {
  const double = useOdooDouble(version);
  const dir = join(CONTRACT, version, 'transcripts');
  const files = readdirSync(dir).filter((f) => SELF_CONTAINED.includes(f.replace(/\.json$/, '')));

  it.each(files)('%s', async (file) => {
    const t = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Transcript;
    const recordedDb = version === '17' ? 'rcp17' : version === '18' ? 'rcp18' : 'rcp19';
    const text = JSON.stringify(t.request.body)
      .replaceAll(`"${recordedDb}"`, `"${double().db}"`)
      .replaceAll('<API key>', double().admin.apiKey);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [key, value] of Object.entries(t.request.headers ?? {})) {
      headers[key] = value.replace('<API key>', double().admin.apiKey).replace(recordedDb, double().db);
    }
    const response = await fetch(`${double().url}${t.request.path}`, { method: 'POST', headers, body: text });
    expect(response.status).toBe(t.status);
    const body = await response.text();
    if (typeof t.answer === 'string') {
      expect(body).toContain('404');
      return;
    }
    if (typeof t.answer !== 'object' || t.answer === null || Array.isArray(t.answer)) {
      expect(shape(JSON.parse(body))).toEqual(shape(t.answer));
      return;
    }
    const answer = JSON.parse(body) as Record<string, unknown>;
    const recorded = t.answer as Record<string, unknown>;
    const errorOf = (a: Record<string, unknown>) =>
      (a.error as { data?: { name: string; message: string } } | undefined)?.data ??
      (typeof a.debug === 'string' ? (a as unknown as { name: string; message: string }) : undefined);
    const recordedError = errorOf(recorded);
    if (recordedError) {
      const error = errorOf(answer);
      expect(error?.name).toBe(recordedError.name);
      expect(error?.message.split('\n(Record')[0]).toBe(recordedError.message.split('\n(Record')[0]);
      if (recorded.error)
        expect((answer.error as { code: number }).code).toBe((recorded.error as { code: number }).code);
      return;
    }
    const result = 'jsonrpc' in recorded ? answer.result : answer;
    const recordedResult = 'jsonrpc' in recorded ? recorded.result : recorded;
    expect(shape(result)).toEqual(shape(recordedResult));
  });
});
