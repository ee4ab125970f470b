import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { OutcomeUnknownError, PermanentError, RetryableError } from '../../connector/errors.ts';
import { RcpAnswerTooLargeError, RcpListChangedError, RcpRequestError } from '../../connector/rcp/errors.ts';
import { Secret } from '../../connector/secret.ts';
import type { SimClient } from '../../connector/simulator/data.ts';
import type { World } from '../../connector/simulator/data.ts';
import { startRcp } from '../support/rcp.ts';

const sum = (values: number[]) =>
  values.reduce((total, value) => total.plus(value), new Decimal(0)).toString();

/** A client whose every resource ran through all of January–March 2024, so clipping shows in the sums. */
function steadyClient(world: World): SimClient {
  for (let index = 0; index < world.clientCount; index++) {
    const client = world.client(index);
    if (client.resources.every((r) => r.from < '2024-01-01' && (r.to === undefined || r.to > '2024-04-01'))) {
      return client;
    }
  }
  throw new Error('no steady client in the generated world');
}

describe('RCP client against the simulator: reading', () => {
  it('reads every client over 4 pages, each once', async () => {
    const { sim, client } = await startRcp({ clients: 37 });
    const listing = client.clients();
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of listing) {
      pages.push(page.length);
      ids.push(...page.map((c) => c.id));
    }
    expect(pages).toEqual([10, 10, 10, 7]);
    expect(new Set(ids).size).toBe(37);
    expect(new Set(ids)).toEqual(new Set(sim.world.order.map((i) => sim.world.client(i).id)));
    expect(listing.passes).toBe(1);
    expect(listing.skipped).toEqual([]);
  });

  it('reads the clients of one partner only', async () => {
    const { sim, client } = await startRcp({ clients: 30, partners: 3 });
    const partner = sim.world.partners[1];
    const clients = await client.clients({ partner: partner?.id ?? '' }).all();
    expect(clients).toHaveLength(10);
    expect(clients.every((c) => c.partner?.id === partner?.id)).toBe(true);
  });

  it('reads partners with their contract and billing plan', async () => {
    const { sim, client } = await startRcp({ partners: 4 });
    const partners = await client.partners().all();
    expect(partners.map((p) => p.id)).toEqual(sim.world.partners.map((p) => p.id));
    expect(partners[1]?.contract?.billing_plan.id).toBe(sim.world.partners[1]?.plan.id);
  });

  it('a list that grows while it is read gives every client exactly once', async () => {
    const { sim, client } = await startRcp({ clients: 25, faults: { growDuringPaging: 2 } });
    const listing = client.clients();
    const ids: string[] = [];
    for await (const page of listing) ids.push(...page.map((c) => c.id));
    expect(sim.world.clientCount).toBe(27);
    expect(ids).toHaveLength(27);
    expect(new Set(ids).size).toBe(27);
    // The first pass saw `total` move and was thrown away; the second found the list still.
    expect(listing.passes).toBe(2);
  });

  it('a malformed client is skipped and reported with its id and field; the page goes on', async () => {
    const { sim, client } = await startRcp({
      clients: 12,
      faults: { script: [{ path: '/client', malformed: 1 }] },
    });
    const listing = client.clients();
    const clients = await listing.all();
    const broken = sim.world.client(sim.world.order[0] ?? -1);
    expect(clients).toHaveLength(11);
    expect(clients.some((c) => c.id === broken.id)).toBe(false);
    expect(listing.skipped).toEqual([
      {
        what: 'client',
        id: broken.id,
        problem: expect.stringContaining('contract.billing_plan'),
        partner: broken.partner.id,
      },
    ]);
    expect(listing.passes).toBe(1);
  });

  it('reads a billing plan’s prices, and reports a malformed price', async () => {
    const { sim, client } = await startRcp({ faults: { script: [{ path: '/billing_plan', malformed: 1 }] } });
    const plan = sim.world.partners[0]?.plan;
    const { items, skipped } = await client.prices(plan?.id ?? '');
    expect(items.length + skipped.length).toBe(plan?.prices.size);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.problem).toMatch(/^cost: Expected number/);
    expect(skipped[0]?.id).toBe(plan?.prices.get('kvm_hdd_ultrafast')?.priceId);
    const hdd = items.find((p) => p.billing_class.id === 'kvm_hdd_fast');
    expect(hdd).toMatchObject({
      cost: 0.0048,
      period: 'hour',
      billing_class: { sku_mask: 'IS-KVM-VHDD-HDD-CA-P-GB-D', measure: 'ГБ' },
    });
  });

  it('an unknown billing plan is a typed 404 with RCP’s words, not retried', async () => {
    const { sim, client } = await startRcp();
    const error = await client.prices('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RcpRequestError);
    expect((error as RcpRequestError).status).toBe(404);
    expect((error as Error).message).toContain('not_found');
    expect(sim.requests).toBe(1);
  });

  it('billing details take every filter', async () => {
    const { sim, client } = await startRcp();
    const c = steadyClient(sim.world);
    const billingClass = c.resources[0]?.billingClass.id ?? '';
    const query = { client: c.id, start_date: '2024-02-01', end_date: '2024-02-03', part: 'day' as const };
    const all = await client.billingDetails(query);
    const one = await client.billingDetails({
      ...query,
      billing_class: billingClass,
      contract: c.contractId,
      partner: c.partner.id,
      project: c.resources[0]?.project ?? '',
    });
    const otherContract = await client.billingDetails({
      ...query,
      contract: '00000000-0000-4000-8000-000000000000',
    });
    expect(all.items.length).toBe(3 * c.resources.length);
    expect(one.items.length).toBe(3 * c.resources.filter((r) => r.billingClass.id === billingClass).length);
    expect(otherContract.items).toEqual([]);
  });

  it('week quanta are clipped to the range (2024-02-01 … 02-07 asked by week)', async () => {
    const { sim, client } = await startRcp();
    const c = steadyClient(sim.world);
    const raw = await client.billingDetails({
      client: c.id,
      start_date: '2024-02-01',
      end_date: '2024-02-07',
      part: 'week',
    });
    expect([...new Set(raw.items.map((r) => r.date))]).toEqual(['2024-01-29', '2024-02-05']);

    const clipped = await client.usage({
      client: c.id,
      range: { start: '2024-02-01', end: '2024-02-07' },
      part: 'week',
    });
    const byDay = await client.billingDetails({
      client: c.id,
      start_date: '2024-02-01',
      end_date: '2024-02-07',
      part: 'day',
    });
    expect(clipped.items.every((r) => r.date >= '2024-02-01' && r.date <= '2024-02-07')).toBe(true);
    expect(sum(clipped.items.map((r) => r.cost))).toBe(sum(byDay.items.map((r) => r.cost)));
    expect(sum(clipped.items.map((r) => r.paid_seconds))).toBe(sum(byDay.items.map((r) => r.paid_seconds)));
    expect(sum(raw.items.map((r) => r.paid_seconds))).not.toBe(sum(byDay.items.map((r) => r.paid_seconds)));
  });

  it('month quanta are clipped to the range (2024-02-15 … 03-15 asked by month)', async () => {
    const { sim, client } = await startRcp();
    const c = steadyClient(sim.world);
    const raw = await client.billingDetails({
      client: c.id,
      start_date: '2024-02-15',
      end_date: '2024-03-15',
      part: 'month',
    });
    expect([...new Set(raw.items.map((r) => r.date))]).toEqual(['2024-02-01', '2024-03-01']);

    const clipped = await client.usage({
      client: c.id,
      range: { start: '2024-02-15', end: '2024-03-15' },
      part: 'month',
    });
    const byDay = await client.billingDetails({
      client: c.id,
      start_date: '2024-02-15',
      end_date: '2024-03-15',
      part: 'day',
    });
    expect(sum(clipped.items.map((r) => r.cost))).toBe(sum(byDay.items.map((r) => r.cost)));
    expect(clipped.items.every((r) => r.date >= '2024-02-15' && r.date <= '2024-03-15')).toBe(true);
  });

  it('a whole month asked by month is one request and equals the sum of its days', async () => {
    const { sim, client } = await startRcp();
    const c = steadyClient(sim.world);
    const before = sim.requests;
    const month = await client.usage({
      client: c.id,
      range: { start: '2024-02-01', end: '2024-02-29' },
      part: 'month',
    });
    expect(sim.requests - before).toBe(1);
    const byDay = await client.billingDetails({
      client: c.id,
      start_date: '2024-02-01',
      end_date: '2024-02-29',
      part: 'day',
    });
    expect(sum(month.items.map((r) => r.cost))).toBe(sum(byDay.items.map((r) => r.cost)));
  });

  it('fans out with at most the configured number of calls in flight', async () => {
    const { sim, client } = await startRcp({ clients: 12, faults: { latencyMs: 15 } }, { concurrency: 3 });
    const ids = sim.world.order.map((i) => sim.world.client(i).id);
    const results = await client.fanOut(ids, (id) =>
      client.billingDetails({ client: id, start_date: '2024-05-01', end_date: '2024-05-02', part: 'day' }),
    );
    expect(results).toHaveLength(12);
    expect(sim.maxInFlight).toBe(3);
  });
});

describe('RCP client against the simulator: failures', () => {
  it('a 503 is retried and the read succeeds', async () => {
    const { sim, client } = await startRcp({ faults: { script: [{ path: '/partner', status: 503 }] } });
    const partners = await client.partners().all();
    expect(partners).toHaveLength(sim.world.partners.length);
    expect(client.stats.retries).toBe(1);
  });

  it('429 with Retry-After is waited out, then the read succeeds', async () => {
    const { sim, client } = await startRcp({
      faults: { script: [{ path: '/partner', status: 429, retryAfterSeconds: 1 }] },
    });
    expect(await client.partners().all()).toHaveLength(sim.world.partners.length);
    expect(client.stats.retries).toBe(1);
  });

  it('a Retry-After longer than the client will wait comes back as retryable with the delay', async () => {
    const { client } = await startRcp(
      { faults: { script: [{ path: '/partner', status: 429, retryAfterSeconds: 120 }] } },
      { maxRetryAfterMs: 1_000 },
    );
    const error = await client
      .partners()
      .all()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBe(120_000);
  });

  it('reads give up after the bounded number of tries, as retryable', async () => {
    const script = Array.from({ length: 4 }, () => ({ path: '/partner', status: 502 }));
    const { sim, client } = await startRcp({ faults: { script } });
    const error = await client
      .partners()
      .all()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(sim.requests).toBe(4);
  });

  it('a dropped connection on a read is retried', async () => {
    const { sim, client } = await startRcp({ faults: { script: [{ path: '/partner', drop: 'before' }] } });
    expect(await client.partners().all()).toHaveLength(sim.world.partners.length);
  });

  it('a bad static token is a 401 naming the variable, never the token', async () => {
    const { client } = await startRcp({}, { auth: { kind: 'token', token: new Secret('wrong-token-123') } });
    const error = await client
      .partners()
      .all()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain('RCP_TOKEN');
    expect((error as Error).message).not.toContain('wrong-token-123');
  });

  it('logs in with login and password, and renews the token once after a 401', async () => {
    const auth = {
      kind: 'login' as const,
      login: 'accountant',
      password: new Secret('accountant'),
      domain: 'default',
    };
    const { sim, client } = await startRcp({}, { auth });
    await client.partners().all();
    expect(sim.tokensIssued).toBe(1);
    await fetch(`${sim.url}/_sim/expire-tokens`, { method: 'POST' });
    expect(await client.partners().all()).toHaveLength(sim.world.partners.length);
    expect(sim.tokensIssued).toBe(2);
  });

  it('renews a token before it expires, without waiting for a 401', async () => {
    let now = Date.now();
    const auth = {
      kind: 'login' as const,
      login: 'accountant',
      password: new Secret('accountant'),
      domain: 'default',
    };
    const { sim, client } = await startRcp({ faults: { tokenTtlSeconds: 3600 } }, { auth, now: () => now });
    await client.partners().all();
    now += 3_590_000;
    const requestsBefore = sim.requests;
    await client.prices(sim.world.partners[0]?.plan.id ?? '');
    expect(sim.tokensIssued).toBe(2);
    expect(sim.requests - requestsBefore).toBe(2); // a login and the call: no refused call in between
  });

  it('a wrong password says which login failed and never shows the password', async () => {
    const auth = {
      kind: 'login' as const,
      login: 'accountant',
      password: new Secret('not-it'),
      domain: 'default',
    };
    const { client } = await startRcp({}, { auth });
    const error = await client
      .partners()
      .all()
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('RCP_LOGIN=accountant');
    expect((error as Error).message).not.toContain('not-it');
  });
});

describe('RCP client against the simulator: payments', () => {
  it('a client payment raises the balance by the exact amount', async () => {
    const { sim, client } = await startRcp();
    const target = sim.world.client(0);
    const before = sim.world.clientBalanceKopecks(target);
    const receipt = await client.bankPayment({
      client: target.id,
      amountKopecks: 500_050,
      details: 'PBNK1/2024/00001',
    });
    expect(receipt.amount).toBe(5000.5);
    expect(sim.payments).toEqual([
      expect.objectContaining({ client: target.id, amount: 5000.5, details: 'PBNK1/2024/00001' }),
    ]);
    expect(sim.world.clientBalanceKopecks(target) - before).toBe(500_050);
  });

  it('a partner payment is a balance correction', async () => {
    const { sim, client } = await startRcp();
    const partner = sim.world.partners[1];
    const before = partner?.balanceKopecks ?? 0;
    const answer = await client.correctPartnerBalance(partner?.id ?? '', 123_456);
    expect(answer?.id).toBe(partner?.id);
    expect(sim.corrections).toEqual([expect.objectContaining({ partner: partner?.id, amount: 1234.56 })]);
    expect((partner?.balanceKopecks ?? 0) - before).toBe(123_456);
  });

  it('a lost answer to a payment is "outcome unknown" and is not resent', async () => {
    const { sim, client } = await startRcp({
      faults: { script: [{ path: '/payment/bank_payment', drop: 'after' }] },
    });
    const target = sim.world.client(0);
    const error = await client
      .bankPayment({ client: target.id, amountKopecks: 100_000, details: 'PBNK1/2024/00002' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(sim.payments).toHaveLength(1);
    expect(sim.requests).toBe(1);
  });

  it('a 5xx answer to a payment is "outcome unknown" and is not resent', async () => {
    const { sim, client } = await startRcp({
      faults: { script: [{ path: '/partner/', method: 'PATCH', status: 500 }] },
    });
    const error = await client
      .correctPartnerBalance(sim.world.partners[1]?.id ?? '', 100)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(sim.requests).toBe(1);
  });

  it('a 429 on a payment is waited out and sent once (RCP did nothing the first time)', async () => {
    const { sim, client } = await startRcp({
      faults: { script: [{ path: '/payment/bank_payment', status: 429, retryAfterSeconds: 0 }] },
    });
    await client.bankPayment({ client: sim.world.client(1).id, amountKopecks: 100, details: 'x' });
    expect(sim.payments).toHaveLength(1);
  });

  it('a payment RCP rejects is a typed error with RCP’s message', async () => {
    const { client } = await startRcp();
    const error = await client
      .bankPayment({ client: '00000000-0000-4000-8000-000000000000', amountKopecks: 100, details: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RcpRequestError);
    expect((error as Error).message).toMatch(/404.*No such client/);
  });
});

describe('RCP client against the simulator: a list that is not whole fails the read', () => {
  it('a total that shrinks from page to page: read again from the start, then failed with both totals', async () => {
    const { sim, client } = await startRcp({
      clients: 25,
      faults: { lists: [{ path: '/client', fault: 'total-shrinks' }] },
    });
    const before = sim.requests;
    const error = await client
      .clients()
      .all()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RcpListChangedError);
    expect((error as Error).message).toMatch(
      /GET \/client\) changed while it was read, 3 times over: total was 25 on page 1 and 24 on page 2/,
    );
    // Three passes, each stopped at the page where the total moved.
    expect(sim.requests - before).toBe(6);
  });

  it('a page without items in the middle of the list fails the read: it is never taken for the end', async () => {
    const { client } = await startRcp({
      clients: 25,
      faults: { lists: [{ path: '/client', fault: 'page-without-items' }] },
    });
    await expect(client.clients().all()).rejects.toThrow(
      /page 2 held 0 item\(s\) where total 25 and limit 10 make 10/,
    );
  });

  it('a 50 MB page is refused in seconds, naming the URL, and not tried again', async () => {
    const { sim, client } = await startRcp({
      clients: 5,
      faults: { lists: [{ path: '/partner', fault: 'oversized-page' }] },
    });
    const started = Date.now();
    const before = sim.requests;
    const error = await client
      .partners()
      .all()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RcpAnswerTooLargeError);
    expect((error as Error).message).toContain(
      `(${sim.url}/v1/partner?page=1) is larger than 32 MB (RCP_MAX_ANSWER_MB)`,
    );
    expect(sim.requests - before).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a client whose partner.id is not a uuid is skipped with its field, owned by no partner it could be pinned on', async () => {
    const { sim, client } = await startRcp({ clients: 6 });
    const victim = sim.world.client(sim.world.order[0] ?? -1);
    sim.faults.update({ records: [{ id: victim.id, fault: 'partner-id-not-uuid' }] });
    const listing = client.clients();
    const clients = await listing.all();
    expect(clients.map((c) => c.id)).not.toContain(victim.id);
    expect(listing.skipped).toEqual([
      { what: 'client', id: victim.id, problem: 'partner.id: expected a uuid', partner: null },
    ]);
  });
});
