import { describe } from 'vitest';
import { type Config, loadConfig } from '../../connector/config.ts';
import { ConfigError } from '../../connector/errors.ts';
import { odooClientScenarios } from '../support/odoo-client-scenarios.ts';

/**
 * The Odoo client's scenarios against a real server: ODOO_URL, ODOO_DB, ODOO_USER and
 * ODOO_PASSWORD or ODOO_API_KEY (an admin, or a user with Contact Creation). Records it makes
 * are named "RCP test … <run tag>".
 */
function realOdoo(): { config: Config['odoo']; reason: string } {
  try {
    return { config: loadConfig(['odoo']).odoo, reason: '' };
  } catch (error) {
    const reason = error instanceof ConfigError ? (error.problems[0] ?? '') : String(error);
    return { config: undefined, reason };
  }
}

const { config, reason } = realOdoo();
const title = config
  ? `Odoo client against the real Odoo at ${config.url}`
  : `Odoo client against a real Odoo (skipped: ${reason.split(':')[0]}; set ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY)`;

describe.skipIf(!config)(title, () => {
  odooClientScenarios({ config: () => config as NonNullable<typeof config>, tag: `${Date.now()}` });
});
