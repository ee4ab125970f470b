/**
 * CI: makes the least-privileged connector user in the database of ODOO_URL/ODOO_DB as the admin of
 * the environment (ODOO_USER + ODOO_PASSWORD). The login and password come from RCP_TEST_USER and
 * RCP_TEST_PASSWORD; nothing secret is printed.
 *   node bin/run-ts.mjs test/support/make-integration-user.ts
 */
import { loadConfig } from '../../connector/config.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { ensureIntegrationUser } from './real-odoo.ts';

const login = process.env.RCP_TEST_USER ?? 'rcp_integration';
const password = process.env.RCP_TEST_PASSWORD;
if (!password) {
  console.error('RCP_TEST_PASSWORD is missing');
  process.exit(2);
}
const admin = await OdooClient.connect(
  loadConfig(['odoo']).odoo as NonNullable<ReturnType<typeof loadConfig>['odoo']>,
);
try {
  const id = await ensureIntegrationUser(admin, login, password);
  console.log(`user ${login} (#${id}): Billing, Contact Creation, Product Creation; no Access Rights`);
} finally {
  await admin.close();
}
