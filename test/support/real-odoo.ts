/**
 * A real Odoo for the odoo-real suite: the connector's settings (ODOO_URL, ODOO_DB, ODOO_USER,
 * ODOO_PASSWORD or ODOO_API_KEY), an admin's (ODOO_ADMIN_USER + ODOO_ADMIN_PASSWORD or
 * ODOO_ADMIN_API_KEY; the connector's own when unset) for what `rcp-odoo setup` or an accountant
 * does by hand, and, where `../shared/odoo/odoo.sh` (or ODOO_SH) is at hand, a fresh database per
 * test file copied from its template, so that no file depends on another's data or settings.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Config, type OdooConfig, loadConfig } from '../../connector/config.ts';
import { ConfigError } from '../../connector/errors.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { Secret } from '../../connector/secret.ts';

export interface RealOdoo {
  /** The connector's configuration (its user). */
  config: Config;
  /** An administrator of the same database. */
  admin: OdooConfig;
  /** Odoo's major version (17, 18, 19). */
  major: number;
  /** Drops the fresh copy (when one was made; ODOO_KEEP_DB=1 keeps it for a look). */
  drop?: () => Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The real Odoo of the environment, or why there is none. */
export function realOdooFromEnv(env: Record<string, string | undefined> = process.env): {
  odoo: Omit<RealOdoo, 'major'> | undefined;
  reason: string;
} {
  let config: Config;
  try {
    config = loadConfig(['odoo'], env);
  } catch (error) {
    const reason = error instanceof ConfigError ? (error.problems[0] ?? '') : String(error);
    return { odoo: undefined, reason };
  }
  const odoo = config.odoo as OdooConfig;
  const adminSecret = env.ODOO_ADMIN_API_KEY
    ? { kind: 'apiKey' as const, value: new Secret(env.ODOO_ADMIN_API_KEY) }
    : env.ODOO_ADMIN_PASSWORD
      ? { kind: 'password' as const, value: new Secret(env.ODOO_ADMIN_PASSWORD) }
      : odoo.secret;
  const admin = { ...odoo, user: env.ODOO_ADMIN_USER ?? odoo.user, secret: adminSecret };
  return { odoo: { config, admin }, reason: '' };
}

/** The title of a real-Odoo describe block, saying why it is skipped when it is. */
export function realTitle(what: string, env: Record<string, string | undefined> = process.env): string {
  const { odoo, reason } = realOdooFromEnv(env);
  return odoo
    ? `${what} against the real Odoo at ${odoo.config.odoo?.url}`
    : `${what} against a real Odoo (skipped: ${reason.split(':')[0]}; set ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY)`;
}

/**
 * Where copies come from: odoo.sh, the version (from ODOO_DB's `odooNN_`) and the server's port;
 * undefined without one of them (someone's own Odoo).
 */
function templateSource(
  env: Record<string, string | undefined>,
  odooConfig: OdooConfig,
): { script: string; version: string; port: string } | undefined {
  const script = odooSh(env);
  const version = /^odoo(\d+)_/.exec(odooConfig.db)?.[1];
  const port = new URL(odooConfig.url).port;
  return script && version && port ? { script, version, port } : undefined;
}

function odooSh(env: Record<string, string | undefined>): string | undefined {
  const candidate = env.ODOO_SH ?? resolve(repoRoot, '../shared/odoo/odoo.sh');
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * A fresh database for one test file, `<ODOO_DB>_<tag>`, copied from the server's template with
 * odoo.sh (a second), with the connector's user made again in it when it is not the admin.
 * Without odoo.sh (someone's own Odoo), the database of the environment is used as it is.
 */
export async function freshRealOdoo(
  tag: string,
  env: Record<string, string | undefined> = process.env,
  options: { workspace?: boolean } = {},
): Promise<RealOdoo> {
  const given = realOdooFromEnv(env).odoo;
  if (!given) throw new Error('no real Odoo configured');
  const odooConfig = given.config.odoo as OdooConfig;
  const source = templateSource(env, odooConfig);
  if (!source || env.ODOO_FRESH_DB === 'off') {
    return { ...given, major: await majorOf(given.admin) };
  }
  const db = `${odooConfig.db}_${tag}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const { script, version, port } = source;
  const template = await templateOf(script, version, port, options.workspace === true, odooConfig);
  await copyDatabase(template.name, db);
  const apiKey = template.apiKey;
  // The admin of a fresh copy: admin/admin, or its new API key where the connector uses a key.
  const admin: OdooConfig = {
    ...odooConfig,
    db,
    user: 'admin',
    secret:
      odooConfig.secret.kind === 'apiKey'
        ? { kind: 'apiKey', value: new Secret(apiKey) }
        : { kind: 'password', value: new Secret('admin') },
  };
  let connector: OdooConfig;
  if (odooConfig.user === 'admin') {
    connector = admin;
  } else {
    connector = { ...odooConfig, db };
    const client = await OdooClient.connect(admin);
    try {
      await ensureIntegrationUser(client, odooConfig.user, odooConfig.secret.value.reveal());
    } finally {
      await client.close();
    }
  }
  const drop = async () => {
    if (env.ODOO_KEEP_DB === '1') return;
    // --force ends the server's idle connections to it, which would otherwise pile up on a shared
    // PostgreSQL. Left behind on failure: harmless, the next run's copy replaces it.
    await dropDatabase(db);
  };
  return { config: { ...given.config, odoo: connector }, admin, major: await majorOf(admin), drop };
}

/**
 * Makes this version's templates (the plain one with an API key, and the workspace one) unless they
 * are there: CI makes them once per version before the matrix, so that its rows only copy them
 * rather than each first file building them at once on a busy machine. Answers their names.
 */
export async function prepareTemplates(
  env: Record<string, string | undefined> = process.env,
): Promise<string[]> {
  const given = realOdooFromEnv(env).odoo;
  if (!given) throw new Error('no real Odoo configured');
  const odooConfig = given.config.odoo as OdooConfig;
  const source = templateSource(env, odooConfig);
  if (!source) throw new Error('templates need odoo.sh, ODOO_DB odooNN_… and a port in ODOO_URL');
  const { script, version, port } = source;
  const made: string[] = [];
  for (const workspace of [false, true]) {
    made.push((await templateOf(script, version, port, workspace, odooConfig)).name);
  }
  return made;
}

// ---- database copies ----------------------------------------------------------------------------
// `odoo.sh fresh` starts a whole Odoo (`odoo shell`) to mint an API key: seconds per copy. Each
// file copies instead a template of this version that already holds a key (kept in the template's
// ir_config_parameter, so every copy carries key and hash alike): a plain one, and one where
// `rcp-odoo setup` has run (half a minute less per file that needs the workspace; the file's own
// setup call then finds it made). The workspace template is named by a hash of the code setup
// runs, so a change to the workspace makes a new one and no file tests an old definition.

const pgEnv = { ...process.env, PGHOST: '127.0.0.1', PGUSER: 'odoo', PGPASSWORD: 'odoo' };
const KEY_PARAM = 'rcp_test.admin_api_key';
// Asynchronous on purpose: a test worker blocked for a minute (odoo.sh on a busy machine) misses
// vitest's own messages and dies with "Timeout calling onTaskUpdate".
const run = promisify(execFile);

async function psql(db: string, sql: string): Promise<string> {
  const { stdout } = await run('psql', ['-d', db, '-Atc', sql], { env: pgEnv, encoding: 'utf8' });
  return stdout.trim();
}

const quoted = (name: string): string => `'${name.replace(/'/g, "''")}'`;

async function endConnections(db: string): Promise<void> {
  await psql(
    'postgres',
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = ${quoted(db)}`,
  );
}

async function exists(db: string): Promise<boolean> {
  return (await psql('postgres', `select 1 from pg_database where datname = ${quoted(db)}`)) === '1';
}

async function dropDatabase(db: string, force = true): Promise<void> {
  try {
    await run('dropdb', [...(force ? ['--force'] : []), '--if-exists', db], { env: pgEnv });
  } catch {
    // In use elsewhere, or gone already.
  }
}

async function copyDatabase(template: string, db: string): Promise<void> {
  await dropDatabase(db);
  // The server may still hold idle connections to the template (made by its setup): CREATE
  // DATABASE … TEMPLATE needs none. A copy made at the same moment by another file may meet one: retry.
  for (let attempt = 1; ; attempt++) {
    await endConnections(template);
    try {
      await run('createdb', ['-T', template, db], { env: pgEnv });
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

/** A hash of the code `setup` runs: a change to any of it makes a new workspace template. */
function workspaceCodeHash(): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(resolve(repoRoot, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|py|xml|js)$/.test(entry.name)) files.push(path);
    }
  };
  walk('connector');
  walk('mappings');
  const hash = createHash('sha1');
  for (const file of files.sort()) hash.update(file).update(readFileSync(resolve(repoRoot, file)));
  return hash.digest('hex').slice(0, 10);
}

/**
 * The template a file's copy comes from, made once per version (and per workspace code): a copy of
 * odoo.sh's template with its admin's API key, set up by `setupWorkspace` as the admin when asked.
 * Made under a name of its own and renamed into place, so two makers at once leave one template.
 */
async function templateOf(
  script: string,
  version: string,
  port: string,
  workspace: boolean,
  base: OdooConfig,
): Promise<{ name: string; apiKey: string }> {
  const name = workspace ? `odoo${version}_tpl_ws_${workspaceCodeHash()}` : `odoo${version}_tpl_key`;
  if (!(await exists(name))) {
    const building = `${name}_${process.pid}`;
    const { stdout: out } = await run('bash', [script, 'fresh', version, port, building], {
      encoding: 'utf8',
    });
    const apiKey = /ODOO_API_KEY=(\S+)/.exec(out)?.[1];
    if (!apiKey) throw new Error(`odoo.sh fresh ${version} printed no API key`);
    await psql(
      building,
      `insert into ir_config_parameter (key, value, create_date, write_date) values (${quoted(KEY_PARAM)}, ${quoted(apiKey)}, now(), now())`,
    );
    if (workspace) {
      const { setupWorkspace } = await import('../../connector/workspace/setup.ts');
      const client = await OdooClient.connect({
        ...base,
        db: building,
        user: 'admin',
        secret: { kind: 'password', value: new Secret('admin') },
      });
      try {
        await setupWorkspace(client, { dryRun: false, connectorLogin: 'admin', currency: 'RUB' });
      } finally {
        await client.close();
      }
    }
    await endConnections(building);
    try {
      await psql('postgres', `alter database ${building} rename to ${name}`);
    } catch {
      await dropDatabase(building); // another maker was first: theirs is the same template
    }
    if (workspace) {
      // Workspace templates of older code of this version go (one in use elsewhere stays).
      const stale = await psql(
        'postgres',
        `select datname from pg_database where datname like 'odoo${version}_tpl_ws_%'`,
      );
      for (const old of stale.split('\n').filter((d) => d && d !== name)) await dropDatabase(old, false);
    }
  }
  return {
    name,
    apiKey: await psql(name, `select value from ir_config_parameter where key = ${quoted(KEY_PARAM)}`),
  };
}

async function majorOf(config: OdooConfig): Promise<number> {
  const client = await OdooClient.connect(config);
  try {
    return Number(/\d+/.exec(client.version)?.[0]);
  } finally {
    await client.close();
  }
}

/**
 * The least-privileged user the product documents: Billing, Contact Creation and Product Creation
 * (17: Administration / Settings, which products and price lists need there), an email address, no
 * Access Rights. Made by an admin through the API; an existing login gets its password and groups set.
 */
export async function ensureIntegrationUser(
  admin: OdooClient,
  login: string,
  password: string,
): Promise<number> {
  const major = Number(/\d+/.exec(admin.version)?.[0]);
  const xmlids = [
    'base.group_user',
    'account.group_account_invoice',
    'base.group_partner_manager',
    major >= 18 ? 'product.group_product_manager' : 'base.group_system',
  ];
  const groups: number[] = [];
  for (const xmlid of xmlids) {
    const [module, name] = xmlid.split('.') as [string, string];
    const [, id] = await admin.call<[string, number]>({
      model: 'ir.model.data',
      method: 'check_object_reference',
      params: [
        ['module', module],
        ['xml_id', name],
      ],
    });
    groups.push(id);
  }
  const groupsField = major >= 19 ? 'group_ids' : 'groups_id';
  const values = {
    name: 'RCP Integration',
    login,
    password,
    email: `${login}@example.com`,
    [groupsField]: [[6, 0, groups]],
  };
  const [existing] = await admin.search('res.users', [['login', '=', login]]);
  if (existing) {
    await admin.write('res.users', [existing], values);
    return existing;
  }
  const [id] = await admin.create('res.users', [values]);
  return id as number;
}

// ---- settings an admin (or `rcp-odoo setup`) makes, written through the API as data -------------

/** The admin's current company. */
export async function companyOf(admin: OdooClient): Promise<number> {
  const [user] = await admin.read<{ id: number; company_id: [number, string] }>(
    'res.users',
    [admin.uid],
    ['company_id'],
  );
  return user?.company_id[0] ?? 1;
}

export type RoundingMethod = 'round_per_line' | 'round_globally';

/** The company's `tax_calculation_rounding_method`, written and read back. */
export async function setRoundingMethod(admin: OdooClient, method: RoundingMethod): Promise<RoundingMethod> {
  const company = await companyOf(admin);
  await admin.write('res.company', [company], { tax_calculation_rounding_method: method });
  const [row] = await admin.read<{ id: number; tax_calculation_rounding_method: RoundingMethod }>(
    'res.company',
    [company],
    ['tax_calculation_rounding_method'],
  );
  return row?.tax_calculation_rounding_method as RoundingMethod;
}

/** 'Product Price' and 'Product Unit of Measure' (19: 'Product Unit') decimal places, written and read back. */
export async function setPrecisions(
  admin: OdooClient,
  digits: { price: number; quantity: number },
): Promise<{ price: number; quantity: number }> {
  const rows = await admin.searchRead<{ id: number; name: string; digits: number }>(
    'decimal.precision',
    [['name', 'in', ['Product Price', 'Product Unit of Measure', 'Product Unit']]],
    ['name', 'digits'],
  );
  for (const row of rows) {
    const want = row.name === 'Product Price' ? digits.price : digits.quantity;
    if (row.digits !== want) await admin.write('decimal.precision', [row.id], { digits: want });
  }
  const after = await admin.read<{ id: number; name: string; digits: number }>(
    'decimal.precision',
    rows.map((r) => r.id),
    ['name', 'digits'],
  );
  return {
    price: after.find((r) => r.name === 'Product Price')?.digits ?? -1,
    quantity: after.find((r) => r.name !== 'Product Price')?.digits ?? -1,
  };
}

/**
 * Settings → Pricelists on or off, as an admin clicks it (res.config.settings `group_product_pricelist`,
 * then `execute`). Odoo archives every price list when it is turned off. Answers whether the
 * admin has the feature's group afterwards.
 */
export async function setPricelistFeature(admin: OdooClient, on: boolean): Promise<boolean> {
  const [settings] = await admin.create('res.config.settings', [{ group_product_pricelist: on }]);
  await admin.callOn('res.config.settings', 'execute', [settings as number]);
  // 17's has_group is a model method (the current user); 18 and 19 ask it of a user record.
  return admin.call<boolean>({
    model: 'res.users',
    method: 'has_group',
    ...(admin.capabilities.major >= 18 ? { ids: [admin.uid] } : {}),
    params: [['group_ext_id', 'product.group_product_pricelist']],
  });
}

/**
 * Runs `work` with a client of the environment's administrator when the connector's user is another
 * (a least-privileged run); with the admin as the connector, there is nothing to prepare.
 */
export async function asAdmin(
  work: (admin: OdooClient) => Promise<void>,
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  const { odoo } = realOdooFromEnv(env);
  if (!odoo || odoo.admin.user === odoo.config.odoo?.user) return;
  const admin = await OdooClient.connect(odoo.admin);
  try {
    await work(admin);
  } finally {
    await admin.close();
  }
}
