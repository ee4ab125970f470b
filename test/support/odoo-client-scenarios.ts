import { expect, it } from 'vitest';
import type { OdooConfig } from '../../connector/config.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { decimalPrecisions } from '../../connector/odoo/company.ts';
import { OdooError } from '../../connector/odoo/errors.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { odooRights } from '../../connector/processes/check.ts';
import { contactPricelists } from '../../connector/processes/pricelist-feature.ts';
import { Secret } from '../../connector/secret.ts';

/**
 * The Odoo client's behaviour, written once and run twice: against the Odoo double (17, 18, 19)
 * in `test/contract`, and against a real server in `test/odoo-real` when ODOO_URL is set.
 */
export interface OdooTarget {
  config: () => OdooConfig;
  /** A unique suffix so runs against a real database do not collide. */
  tag: string;
}

export function odooClientScenarios(target: OdooTarget): void {
  const connect = () => OdooClient.connect(target.config());
  const name = (what: string) => `RCP test ${what} ${target.tag}`;

  it('removing records another writer removed meanwhile: unlink refuses, unlinkExisting takes the rest', async () => {
    const odoo = await connect();
    try {
      const ids = await odoo.create(
        'res.partner',
        ['a', 'b', 'c'].map((k) => ({ name: name(`gone ${k}`), ref: `gone-${k}-${target.tag}` })),
      );
      // The other writer was first with one of them.
      await odoo.unlink('res.partner', [ids[1] as number]);
      await expect(odoo.unlink('res.partner', ids)).rejects.toMatchObject({ kind: 'missing' });
      await odoo.unlinkExisting('res.partner', ids);
      expect(await odoo.searchCount('res.partner', [['id', 'in', ids]])).toBe(0);
      await odoo.unlinkExisting('res.partner', ids);
    } finally {
      await odoo.close();
    }
  });

  it('creates a partner and reads it back, with search_read, read and search_count', async () => {
    const odoo = await connect();
    try {
      const [id] = await odoo.create('res.partner', [
        { name: name('ООО "Кавычки"'), is_company: true, ref: `ref-${target.tag}` },
      ]);
      expect(id).toBeGreaterThan(0);
      const [byRead] = await odoo.read('res.partner', [id ?? 0], ['name', 'is_company']);
      expect(byRead).toMatchObject({ id, name: name('ООО "Кавычки"'), is_company: true });
      const found = await odoo.searchRead('res.partner', [['ref', '=', `ref-${target.tag}`]], ['name']);
      expect(found.map((r) => r.id)).toEqual([id]);
      expect(await odoo.searchCount('res.partner', [['ref', '=', `ref-${target.tag}`]])).toBe(1);
      await odoo.write('res.partner', [id ?? 0], { comment: 'из RCP' });
      const [written] = await odoo.read('res.partner', [id ?? 0], ['comment']);
      expect(String(written?.comment)).toContain('из RCP');
    } finally {
      await odoo.close();
    }
  });

  it('creates 1,000 partners in a handful of round trips and streams them back by pages', async () => {
    const odoo = await connect();
    try {
      const before = odoo.stats.roundTrips;
      const ids = await odoo.create(
        'res.partner',
        Array.from({ length: 1000 }, (_, i) => ({ name: name(`bulk ${i}`), ref: `bulk-${target.tag}-${i}` })),
      );
      expect(ids).toHaveLength(1000);
      expect(new Set(ids).size).toBe(1000);
      expect(odoo.stats.roundTrips - before).toBeLessThanOrEqual(Math.ceil(1000 / odoo.config.batchSize));
      const pages: number[] = [];
      const seen: number[] = [];
      for await (const page of odoo.searchReadPages(
        'res.partner',
        [['ref', '=like', `bulk-${target.tag}-%`]],
        ['ref'],
        300,
      )) {
        pages.push(page.length);
        seen.push(...page.map((r) => r.id));
      }
      expect(pages).toEqual([300, 300, 300, 100]);
      expect(new Set(seen)).toEqual(new Set(ids));
    } finally {
      await odoo.close();
    }
  });

  it('orders, limits and offsets search_read', async () => {
    const odoo = await connect();
    try {
      await odoo.create(
        'res.partner',
        ['c', 'a', 'b'].map((n) => ({ name: name(`order ${n}`), ref: `order-${target.tag}` })),
      );
      const rows = await odoo.searchRead('res.partner', [['ref', '=', `order-${target.tag}`]], ['name'], {
        order: 'name desc',
        limit: 2,
        offset: 1,
      });
      expect(rows.map((r) => r.name)).toEqual([name('order b'), name('order a')]);
    } finally {
      await odoo.close();
    }
  });

  it('a missing record reads as nothing, and unlinking it twice is a "missing" error', async () => {
    const odoo = await connect();
    try {
      const [id] = await odoo.create('res.partner', [{ name: name('to delete') }]);
      await odoo.unlink('res.partner', [id ?? 0]);
      expect(await odoo.read('res.partner', [id ?? 0], ['name'])).toEqual([]);
      const error = await odoo.unlink('res.partner', [id ?? 0]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OdooError);
      expect((error as OdooError).kind).toBe('missing');
    } finally {
      await odoo.close();
    }
  });

  it('load() with external IDs creates once, then updates the same record; a bad row writes nothing', async () => {
    const odoo = await connect();
    try {
      const xmlid = `rcp_connector.client_test_${target.tag}`;
      const first = await odoo.load('res.partner', ['id', 'name'], [[xmlid, name('load v1')]]);
      const second = await odoo.load('res.partner', ['id', 'name'], [[xmlid, name('load v2')]]);
      expect(first.ids).toHaveLength(1);
      expect(second.ids).toEqual(first.ids);
      const [row] = await odoo.read('res.partner', first.ids ?? [], ['name']);
      expect(row?.name).toBe(name('load v2'));
      const resolved = await externalIds(odoo).resolve([xmlid, `rcp_connector.client_absent_${target.tag}`]);
      expect([...resolved.entries()]).toEqual([[xmlid, { model: 'res.partner', id: first.ids?.[0] }]]);

      const bad = await odoo.load(
        'res.partner',
        ['id', 'name'],
        [[`rcp_connector.client_bad_${target.tag}`, '']],
      );
      expect(bad.ids).toBeUndefined();
      expect(bad.messages[0]?.type).toBe('error');
      expect(await externalIds(odoo).resolve([`rcp_connector.client_bad_${target.tag}`])).toEqual(new Map());
    } finally {
      await odoo.close();
    }
  });

  it('maps refused records to "validation" errors with the server’s message', async () => {
    const odoo = await connect();
    try {
      const unknownField = await odoo
        .create('res.partner', [{ name: 'x', no_such_field: 1 }])
        .catch((e: unknown) => e);
      expect(unknownField).toMatchObject({
        kind: 'validation',
        serverMessage: expect.stringContaining("Invalid field 'no_such_field'"),
      });
      const badSelection = await odoo
        .create('res.partner', [{ name: 'x', type: 'no-such-type' }])
        .catch((e: unknown) => e);
      expect(badSelection).toMatchObject({ kind: 'validation' });
      const noName = await odoo.create('res.partner', [{ is_company: true }]).catch((e: unknown) => e);
      expect(noName).toMatchObject({
        kind: 'validation',
        serverMessage: expect.stringContaining('Contacts require a name'),
      });
    } finally {
      await odoo.close();
    }
  });

  it('maps private methods to "access" errors and unknown models to a clear error', async () => {
    const odoo = await connect();
    try {
      const privateMethod = await odoo
        .call({ model: 'ir.model.data', method: '_xmlid_lookup', params: [['xmlid', 'base.main_company']] })
        .catch((e: unknown) => e);
      expect(privateMethod).toMatchObject({
        kind: 'access',
        serverMessage: expect.stringContaining('Private methods'),
      });
      const unknownModel = await odoo.searchCount('no.such.model', []).catch((e: unknown) => e);
      expect(unknownModel).toBeInstanceOf(OdooError);
      expect((unknownModel as OdooError).serverMessage).toMatch(/no\.such\.model/);
    } finally {
      await odoo.close();
    }
  });

  it('posts a chatter note and answers its id on every version', async () => {
    const odoo = await connect();
    try {
      const [id] = await odoo.create('res.partner', [{ name: name('chatter') }]);
      const messageId = await odoo.postNote('res.partner', id ?? 0, 'Создано из RCP');
      expect(typeof messageId).toBe('number');
      expect(messageId).toBeGreaterThan(0);
    } finally {
      await odoo.close();
    }
  });

  it('calls every method Odoo takes on the model as this version takes it, over this protocol', async () => {
    // 19 over /jsonrpc refused precision_get with an id list ("takes 2 positional arguments but 3
    // were given") while 17 and 18 need one: every command stopped at once with a password on 19.
    const odoo = await connect();
    try {
      const digits = await decimalPrecisions(odoo);
      expect(digits.priceDigits).toBeGreaterThanOrEqual(2);
      expect(digits.quantityDigits).toBeGreaterThanOrEqual(2);
      const rights = await odooRights(odoo);
      expect(rights.length).toBeGreaterThan(0);
      for (const item of rights) expect(item.detail).not.toMatch(/could not be checked/);
      expect(await contactPricelists(odoo)).toMatchObject({ stored: expect.any(Boolean) });
      const reference = await odoo.call<[string, number]>({
        model: 'ir.model.data',
        method: 'check_object_reference',
        params: [
          ['module', 'base'],
          ['xml_id', 'main_company'],
        ],
      });
      expect(reference).toEqual(['res.company', 1]);
    } finally {
      await odoo.close();
    }
  });

  it('refuses a wrong secret at connect, naming the variable and never the secret', async () => {
    const config = target.config();
    const wrong: OdooConfig = {
      ...config,
      secret: { kind: config.secret.kind, value: new Secret('wrong-secret-42') },
    };
    const error = await OdooClient.connect(wrong).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth' });
    expect((error as Error).message).toMatch(/ODOO_(PASSWORD|API_KEY)/);
    expect((error as Error).message).not.toContain('wrong-secret-42');
  });
}
