import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_INVOICE_MAX_AMOUNT, loadConfig } from '../../connector/config.ts';
import { ConfigError } from '../../connector/errors.ts';
import { Listing } from '../../connector/rcp/listing.ts';
import { Client, Partner, Price, UsageRow, lowerCaseClientIds } from '../../connector/rcp/schemas.ts';
import { rowsOutsideAsked } from '../../mappings/usage-window.ts';

const CLIENT_ID = '3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const PLAN_ID = '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f';

const usageRow = (patch: Record<string, unknown> = {}) => ({
  target: { id: 't1', type: 'vm', name: 'vm-1' },
  billing_class: { id: 'kvm_cpu', name: 'CPU', measure: 'шт.' },
  paid_seconds: 3600,
  quantity: 1,
  cost: 0.85,
  project: null,
  period: 'hour',
  date: '2024-05-01',
  ...patch,
});

const client = (patch: Record<string, unknown> = {}) => ({
  id: CLIENT_ID,
  name: 'ООО "Ромашка"',
  payment_model: 'postpay',
  contract: { id: PLAN_ID, balance: -10.5, billing_plan: { id: PLAN_ID, name: 'База' } },
  ...patch,
});

const problemOf = (result: {
  success: boolean;
  error?: { issues: Array<{ path: unknown[]; message: string }> };
}) =>
  result.success
    ? 'accepted'
    : result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

describe('what RCP sends is refused when it cannot be money', () => {
  it.each([
    ['a negative cost', { cost: -1 }, 'cost: Number must be greater than or equal to 0'],
    ['a negative quantity', { quantity: -0.5 }, 'quantity: Number must be greater than or equal to 0'],
    ['an infinite cost (JSON 1e400)', { cost: JSON.parse('1e400') }, 'cost: Number must be finite'],
    ['a cost that is not a number', { cost: '12.5' }, 'cost: Expected number, received string'],
    ['an unknown period', { period: 'week' }, 'period: Invalid enum value'],
    ['a day that does not exist', { date: '2024-02-30' }, 'date: not a day of the calendar'],
    ['the 32nd of May', { date: '2024-05-32' }, 'date: not a day of the calendar'],
    ['a date in another form', { date: '01.05.2024' }, 'date: not a day of the calendar (YYYY-MM-DD)'],
  ])('a usage row with %s is refused, naming the field', (_what, patch, problem) => {
    expect(problemOf(UsageRow.safeParse(usageRow(patch)))).toContain(problem);
  });

  it('a usage row of 29 February in a leap year, with zero cost, is accepted', () => {
    expect(problemOf(UsageRow.safeParse(usageRow({ date: '2024-02-29', cost: 0 })))).toBe('accepted');
  });

  it('a negative price and a price of an unknown period are refused; a negative balance is a balance', () => {
    const price = {
      id: CLIENT_ID,
      cost: 0.85,
      billing_plan: PLAN_ID,
      billing_class: { id: 'kvm_cpu', name: 'CPU', measure: 'шт.' },
      name: 'CPU',
      period: 'hour',
    };
    expect(problemOf(Price.safeParse({ ...price, cost: -0.85 }))).toContain('cost');
    expect(problemOf(Price.safeParse({ ...price, period: 'fortnight' }))).toContain('period');
    expect(problemOf(Client.safeParse(client()))).toBe('accepted');
  });

  it('ids must be uuids, and an upper-case uuid is read lower-case', () => {
    const parsed = lowerCaseClientIds(
      Client.parse(
        client({ id: CLIENT_ID.toUpperCase(), partner: { id: PLAN_ID.toUpperCase(), name: 'P' } }),
      ),
    );
    expect(parsed.id).toBe(CLIENT_ID);
    expect(parsed.partner?.id).toBe(PLAN_ID);
    expect(parsed.contract.billing_plan.id).toBe(PLAN_ID);
    expect(problemOf(Client.safeParse(client({ id: 'client-7' })))).toBe('id: expected a uuid');
    expect(problemOf(Partner.safeParse({ id: '', name: 'x' }))).toBe('id: expected a uuid');
  });

  it('a usage row dated outside every quantum asked is found (to be named, not dropped)', () => {
    const rows = [usageRow({ date: '2024-05-01' }), usageRow({ date: '2024-04-01' })];
    expect(rowsOutsideAsked(rows, { start: '2024-05-01', end: '2024-05-31' }, 'month')).toEqual([rows[1]]);
    // A week that straddles the month's start overlaps it: it is read again by day, not an error.
    expect(
      rowsOutsideAsked(
        [usageRow({ date: '2024-04-29' })],
        { start: '2024-05-01', end: '2024-05-31' },
        'week',
      ),
    ).toEqual([]);
  });
});

const odooEnv = { ODOO_URL: 'http://localhost:8069', ODOO_DB: 'odoo', ODOO_USER: 'u', ODOO_API_KEY: 'k-1' };
const rcpEnv = { RCP_URL: 'https://panel.example.com', RCP_TOKEN: 't-1' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(['rcp', 'odoo'], env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('money settings', () => {
  it.each([
    ['RCP_URL', 'https://rcp-admin:Pa55-rcp-word@panel.example.com'],
    ['ODOO_URL', 'http://admin:Pa55-odoo-word@localhost:8069'],
    ['ODOO_URL', 'http://:Pa55-odoo-word@localhost:8069'],
  ])('a password inside %s is refused and never shown', (name, value) => {
    const problems = problemsOf({ ...odooEnv, ...rcpEnv, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} carries a user name or password \\(not shown\\)`));
    expect(problems.join('\n')).not.toContain('Pa55');
  });

  it('a bad address with a password in it is named without the password', () => {
    const problems = problemsOf({ ...odooEnv, ...rcpEnv, ODOO_URL: 'ftp://admin:Pa55-odoo-word@host' });
    expect(problems.join('\n')).not.toContain('Pa55');
  });

  it('own partner ids are compared lower-case; `none` says "no own partners" on purpose; empty says nothing', () => {
    const listed = loadConfig(['rcp'], { ...rcpEnv, RCP_OWN_PARTNER_IDS: CLIENT_ID.toUpperCase() });
    expect(listed.ownPartnerIds).toEqual([CLIENT_ID]);
    expect(listed.noOwnPartners).toBe(false);
    const none = loadConfig(['rcp'], { ...rcpEnv, RCP_OWN_PARTNER_IDS: 'none' });
    expect(none).toMatchObject({ ownPartnerIds: [], noOwnPartners: true });
    expect(loadConfig(['rcp'], rcpEnv)).toMatchObject({ ownPartnerIds: [], noOwnPartners: false });
  });

  it('INVOICE_MAX_AMOUNT is an amount in rubles, exact to the kopeck, with a default', () => {
    expect(loadConfig(['rcp'], rcpEnv).invoicing.maxAmountKopecks).toBe(DEFAULT_INVOICE_MAX_AMOUNT * 100);
    expect(
      loadConfig(['rcp'], { ...rcpEnv, INVOICE_MAX_AMOUNT: '2500000.29' }).invoicing.maxAmountKopecks,
    ).toBe(250_000_029);
    for (const bad of ['0', '-5', '1e9', '12,5', 'lots'])
      expect(problemsOf({ ...odooEnv, ...rcpEnv, INVOICE_MAX_AMOUNT: bad })[0]).toMatch(
        /^INVOICE_MAX_AMOUNT/,
      );
  });

  it('the RCP retry ceiling is configurable (tries, and the longest Retry-After waited)', () => {
    const config = loadConfig(['rcp'], {
      ...rcpEnv,
      RCP_RETRY_ATTEMPTS: '2',
      RCP_MAX_RETRY_WAIT_SECONDS: '0',
    });
    expect(config.rcp?.retry).toEqual({ attempts: 2, maxRetryAfterMs: 0 });
    expect(loadConfig(['rcp'], rcpEnv).rcp?.retry).toEqual({ attempts: 5, maxRetryAfterMs: 60_000 });
  });
});

describe('an RCP list with a record under two cases of its uuid', () => {
  it('gives the record once and counts the copy towards total (no second pass)', async () => {
    const id = '3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
    let pages = 0;
    const listing = new Listing({
      what: 'client',
      schema: z.object({ id: z.string() }).passthrough(),
      fetchPage: async (page) => {
        pages++;
        const items = page === 1 ? [{ id }, { id: id.toUpperCase() }, { id: 'other' }] : [];
        return { items, total: 3, limit: 10 };
      },
    });
    expect((await listing.all()).map((c) => c.id)).toEqual([id, 'other']);
    // The page, then the one after it (empty): one pass.
    expect(listing.passes).toBe(1);
    expect(pages).toBe(2);
  });
});
