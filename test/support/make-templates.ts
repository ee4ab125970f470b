/**
 * CI: makes the real-Odoo templates of the version of ODOO_URL/ODOO_DB (admin/admin) before the
 * matrix starts, so that no row builds them in a test's set-up.
 *   ODOO_URL=http://127.0.0.1:8018 ODOO_DB=odoo18_ci ODOO_USER=admin ODOO_PASSWORD=admin \
 *     node bin/run-ts.mjs test/support/make-templates.ts
 */
import { prepareTemplates } from './real-odoo.ts';

const started = Date.now();
const names = await prepareTemplates();
console.log(`templates ${names.join(', ')} ready in ${Math.round((Date.now() - started) / 1000)} s`);
