import type { OdooPrecision } from '../../mappings/invoice-lines.ts';
import { ConfigError } from '../errors.ts';
import type { OdooClient } from './client.ts';
import { OdooError } from './errors.ts';

export interface OdooCompany {
  id: number;
  name: string;
  currencyId: number;
  /** Its ISO code, e.g. RUB. */
  currency: string;
}

/** The company the connector works in: `ODOO_COMPANY_ID`, else the user's current company. */
export async function companyOf(odoo: OdooClient): Promise<OdooCompany> {
  let companyId = odoo.config.companyId;
  if (companyId === undefined) {
    const [user] = await odoo.read<{ id: number; company_id: [number, string] | false }>(
      'res.users',
      [odoo.uid],
      ['company_id'],
    );
    companyId = user && Array.isArray(user.company_id) ? user.company_id[0] : 1;
  }
  const [company] = await odoo.read<{ id: number; name: string; currency_id: [number, string] | false }>(
    'res.company',
    [companyId],
    ['name', 'currency_id'],
  );
  if (!company) throw new ConfigError([`ODOO_COMPANY_ID=${companyId}: no such company visible to ODOO_USER`]);
  return {
    id: companyId,
    name: company.name,
    currencyId: Array.isArray(company.currency_id) ? company.currency_id[0] : 0,
    currency: Array.isArray(company.currency_id) ? company.currency_id[1] : '',
  };
}

const PRICE_PRECISION = 'Product Price';

/**
 * Odoo's decimal precisions for prices and quantities, through `precision_get`, which any user may
 * call (reading `decimal.precision` itself needs Administration / Settings: a least-privileged
 * connector read Odoo's default 2 where the admin had raised it).
 */
export async function decimalPrecisions(odoo: OdooClient): Promise<OdooPrecision> {
  const digitsOf = (application: string) =>
    odoo.call<number>({
      model: 'decimal.precision',
      method: 'precision_get',
      params: [['application', application]],
    });
  return {
    priceDigits: await digitsOf(PRICE_PRECISION),
    quantityDigits: await digitsOf(odoo.capabilities.quantityPrecision.name),
  };
}
