import type { OdooClient } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';

/**
 * Whether Odoo keeps a contact's price list. Odoo 19 computes `property_product_pricelist` to
 * nothing while the Pricelists feature (`product.group_product_pricelist`, implied by internal users
 * when on) is off: a write succeeds and reads back false (seen on a real 19; test/odoo-real/
 * pricelists.test.ts). 17 and 18 store it either way. When it is not kept, the sync leaves the
 * field out (comparing it would "update" every contact on every run) and says why.
 */
export async function contactPricelists(
  odoo: OdooClient,
): Promise<{ stored: true } | { stored: false; why: string }> {
  if (odoo.capabilities.major < 19) return { stored: true };
  let on: boolean;
  try {
    on = await odoo.call<boolean>({
      model: 'res.users',
      method: 'has_group',
      ids: [odoo.uid],
      params: [['group_ext_id', 'product.group_product_pricelist']],
    });
  } catch (error) {
    if (!(error instanceof OdooError) || error.retryable) throw error;
    return { stored: true };
  }
  return on
    ? { stored: true }
    : {
        stored: false,
        why: `price lists are not set on contacts: the Pricelists feature is off in Odoo ${odoo.version}, which then stores no contact's price list (turn on Settings → Pricelists, or run \`rcp-odoo setup\`; price lists themselves are synced)`,
      };
}
