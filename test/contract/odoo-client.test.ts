import { describe, expect, it } from 'vitest';
import { OutcomeUnknownError } from '../../connector/errors.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { OdooError } from '../../connector/odoo/errors.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { Secret } from '../../connector/secret.ts';
import { odooClientScenarios } from '../support/odoo-client-scenarios.ts';
import { VERSIONS, doubleConfig, useOdooDouble } from '../support/odoo.ts';

describe.each(VERSIONS)('Odoo client against the Odoo %s double', (version) => {
  const double = useOdooDouble(version);
  odooClientScenarios({ config: () => doubleConfig(double()), tag: `v${version}` });

  it('speaks JSON-2 on 19+ with an API key, JSON-RPC otherwise, and fills the capability table', async () => {
    const withKey = await OdooClient.connect(doubleConfig(double(), 'apiKey'));
    const withPassword = await OdooClient.connect(doubleConfig(double(), 'password'));
    try {
      expect(withKey.version).toBe(`${version}.0`);
      expect(withKey.protocol).toBe(version === '19' ? 'json-2' : 'json-rpc');
      expect(withPassword.protocol).toBe('json-rpc');
      expect(withKey.uid).toBe(2);
      expect(withKey.capabilities).toMatchObject({
        productTypeField: version === '17' ? 'detailed_type' : 'type',
        hasPurchaseUom: version !== '19',
        paymentMemoField: version === '17' ? 'ref' : 'memo',
      });
    } finally {
      await withKey.close();
      await withPassword.close();
    }
  });

  it('retries a serialization failure and the call lands once', async () => {
    const odoo = await OdooClient.connect(doubleConfig(double()), {
      backoff: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    try {
      double().failNext('serialization');
      const ids = await odoo.create('res.partner', [
        { name: `retried ${version}`, ref: `retried-${version}` },
      ]);
      expect(ids).toHaveLength(1);
      expect(
        double()
          .records('res.partner')
          .filter((r) => r.ref === `retried-${version}`),
      ).toHaveLength(1);
      expect(odoo.stats.retries).toBe(1);
    } finally {
      await odoo.close();
    }
  });

  it('a lost answer to a read is retried; to a create it is "outcome unknown", never resent', async () => {
    const odoo = await OdooClient.connect(doubleConfig(double()), {
      backoff: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    try {
      double().failNext('drop');
      expect(await odoo.searchCount('res.partner', [['ref', '=', 'nobody']])).toBe(0);
      double().failNext('drop');
      const error = await odoo.create('res.partner', [{ name: 'maybe' }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutcomeUnknownError);
    } finally {
      await odoo.close();
    }
  });

  it('a wrong database is a "database" error naming it', async () => {
    const error = await OdooClient.connect(doubleConfig(double(), 'password', { db: 'no_such_db' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OdooError);
    expect((error as OdooError).kind).toBe('database');
    expect((error as OdooError).message).toContain('no_such_db');
  });

  it('resolves external IDs one by one when the user may not read ir.model.data', async () => {
    const config = doubleConfig(double());
    const integration = {
      ...config,
      user: double().integration.login,
      secret: { kind: 'apiKey' as const, value: new Secret(double().integration.apiKey) },
    };
    const odoo = await OdooClient.connect(integration);
    try {
      const loaded = await odoo.load(
        'res.partner',
        ['id', 'name'],
        [[`rcp_connector.client_perm_${version}`, 'perm']],
      );
      const found = await externalIds(odoo).resolve([
        `rcp_connector.client_perm_${version}`,
        'rcp_connector.client_none',
      ]);
      expect(externalIds(odoo).mode).toBe('per-name');
      expect([...found]).toEqual([
        [`rcp_connector.client_perm_${version}`, { model: 'res.partner', id: loaded.ids?.[0] }],
      ]);
    } finally {
      await odoo.close();
    }
  });
});
