import { afterAll, beforeAll } from 'vitest';
import type { OdooConfig } from '../../connector/config.ts';
import { Secret } from '../../connector/secret.ts';
import {
  type OdooDouble,
  type OdooDoubleOptions,
  type OdooVersion,
  startOdooDouble,
} from './odoo-double/index.ts';

/** Configuration for the double: an API key (JSON-2 on 19) or the password (JSON-RPC everywhere). */
export function doubleConfig(
  double: OdooDouble,
  secret: 'apiKey' | 'password' = 'apiKey',
  overrides: Partial<OdooConfig> = {},
): OdooConfig {
  return {
    url: double.url,
    db: double.db,
    user: double.admin.login,
    secret: {
      kind: secret,
      value: new Secret(secret === 'apiKey' ? double.admin.apiKey : double.admin.password),
    },
    companyId: undefined,
    batchSize: 500,
    concurrency: 2,
    timeoutMs: 10_000,
    ...overrides,
  };
}

/** A double for the whole describe block (fresh per block). */
export function useOdooDouble(
  version: OdooVersion,
  options: Omit<OdooDoubleOptions, 'version'> = {},
): () => OdooDouble {
  let double: OdooDouble | undefined;
  beforeAll(async () => {
    double = await startOdooDouble({ ...options, version });
  });
  afterAll(async () => {
    await double?.close();
  });
  return () => {
    if (!double) throw new Error('the Odoo double is not started');
    return double;
  };
}

export const VERSIONS: OdooVersion[] = ['17', '18', '19'];
