import { companyCurrencyProblem } from '../../mappings/company-currency.ts';
import { ConfigError } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';
import { companyOf, decimalPrecisions } from '../odoo/company.ts';
/**
 * The settings money needs, each one an admin would otherwise make by hand in Odoo:
 *
 * - 'Product Price' precision ≥ 4: RCP prices per GB-hour have four decimals (0.0107, 0.0048), and a
 *   price list at Odoo's default 2 shows and stores them as 0.01.
 * - 'Product Unit of Measure' ('Product Unit' on 19) precision ≥ 6: RCP states quantities to six
 *   places (`paid_seconds / Δt`, e.g. 16 days of a 31-day month = 0.516129); at 6 a line's quantity ×
 *   price lands on RCP's cost to the kopeck even at a 1,200 RUB monthly price (error ≤ 0.0006 RUB),
 *   at 4 it can be 6 kopecks off and the line would have to be sent as 1 × amount.
 * - The Pricelists feature on: without it Odoo 19 drops every contact's price list on write.
 * - The company currency is the expected one (RUB unless configured): refused, not changed.
 *
 * Precisions are only raised, never lowered. What setup changed is recorded once, before its first
 * change, in `ir.config_parameter` `rcp_connector.previous_settings`, so `setup --remove` can put it back.
 */
import { externalIds } from '../odoo/external-ids.ts';

export const PRICE_DIGITS = 4;
export const QUANTITY_DIGITS = 6;
export const PARAM_PREVIOUS = 'rcp_connector.previous_settings';
export const PARAM_VERSION = 'rcp_connector.setup_version';

const PRICE_PRECISION = 'product.decimal_price';
const PRICELIST_GROUP = 'product.group_product_pricelist';
const INTERNAL_GROUP = 'base.group_user';

export interface SettingsState {
  priceDigits: number;
  quantityDigits: number;
  pricelists: boolean;
  company: { id: number; name: string };
  currency: string;
}

export interface PreviousSettings {
  priceDigits?: number;
  quantityDigits?: number;
  pricelists?: boolean;
}

export interface SettingStep {
  what: string;
  from: string;
  to: string;
  action: 'change' | 'unchanged';
}

interface Ids {
  price: number;
  quantity: number;
  pricelistGroup: number;
  internalGroup: number;
}

async function idsOf(odoo: OdooClient): Promise<Ids> {
  const quantityXmlid = odoo.capabilities.quantityPrecision.xmlid;
  const found = await externalIds(odoo).resolve([
    PRICE_PRECISION,
    quantityXmlid,
    PRICELIST_GROUP,
    INTERNAL_GROUP,
  ]);
  const id = (xmlid: string) => {
    const target = found.get(xmlid);
    if (!target) throw new ConfigError([`Odoo has no ${xmlid}: is the Invoicing (account) app installed?`]);
    return target.id;
  };
  return {
    price: id(PRICE_PRECISION),
    quantity: id(quantityXmlid),
    pricelistGroup: id(PRICELIST_GROUP),
    internalGroup: id(INTERNAL_GROUP),
  };
}

/**
 * The settings as any internal user may see them: precisions through `precision_get` (reading
 * `decimal.precision` itself needs Administration / Settings), the Pricelists feature from the
 * internal-user group, the company's currency.
 */
export async function readSettings(odoo: OdooClient): Promise<SettingsState> {
  const groups = await externalIds(odoo).resolve([PRICELIST_GROUP, INTERNAL_GROUP]);
  const internalId = groups.get(INTERNAL_GROUP)?.id;
  const pricelistId = groups.get(PRICELIST_GROUP)?.id;
  const [internal] = await odoo.read<{ id: number; implied_ids: number[] }>(
    'res.groups',
    internalId === undefined ? [] : [internalId],
    ['implied_ids'],
  );
  const company = await companyOf(odoo);
  const precision = await decimalPrecisions(odoo);
  return {
    priceDigits: precision.priceDigits,
    quantityDigits: precision.quantityDigits,
    pricelists: pricelistId !== undefined && (internal?.implied_ids.includes(pricelistId) ?? false),
    company: { id: company.id, name: company.name },
    currency: company.currency || '?',
  };
}

/** The steps setup takes from this state (pure). */
export function planSettings(state: SettingsState, quantityName: string): SettingStep[] {
  const digits = (what: string, have: number, want: number): SettingStep => ({
    what: `decimal precision '${what}'`,
    from: String(have),
    to: String(Math.max(have, want)),
    action: have < want ? 'change' : 'unchanged',
  });
  return [
    digits('Product Price', state.priceDigits, PRICE_DIGITS),
    digits(quantityName, state.quantityDigits, QUANTITY_DIGITS),
    {
      what: 'Pricelists feature',
      from: state.pricelists ? 'on' : 'off',
      to: 'on',
      action: state.pricelists ? 'unchanged' : 'change',
    },
  ];
}

/** Refuses a company whose currency is not the expected one, with the fix. */
export function checkCurrency(state: SettingsState, expected: string): void {
  const problem = companyCurrencyProblem({ name: state.company.name, currency: state.currency }, expected);
  if (problem) throw new ConfigError([problem]);
}

export async function readParam(odoo: OdooClient, key: string): Promise<string | undefined> {
  const rows = await odoo.searchRead<{ id: number; value: string }>(
    'ir.config_parameter',
    [['key', '=', key]],
    ['value'],
  );
  return rows[0]?.value;
}

export async function writeParam(odoo: OdooClient, key: string, value: string | false): Promise<void> {
  await odoo.call({
    model: 'ir.config_parameter',
    method: 'set_param',
    params: [
      ['key', key],
      ['value', value],
    ],
  });
}

export async function readPrevious(odoo: OdooClient): Promise<PreviousSettings | undefined> {
  const raw = await readParam(odoo, PARAM_PREVIOUS);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as PreviousSettings;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Applies the changes of `planSettings`, recording the previous values first (once). */
export async function applySettings(odoo: OdooClient, state: SettingsState): Promise<void> {
  const ids = await idsOf(odoo);
  const steps = planSettings(state, odoo.capabilities.quantityPrecision.name);
  if (steps.every((s) => s.action === 'unchanged')) return;
  const previous = await readPrevious(odoo);
  if (!previous) {
    await writeParam(
      odoo,
      PARAM_PREVIOUS,
      JSON.stringify({
        priceDigits: state.priceDigits,
        quantityDigits: state.quantityDigits,
        pricelists: state.pricelists,
      } satisfies PreviousSettings),
    );
  }
  if (state.priceDigits < PRICE_DIGITS)
    await odoo.write('decimal.precision', [ids.price], { digits: PRICE_DIGITS });
  if (state.quantityDigits < QUANTITY_DIGITS)
    await odoo.write('decimal.precision', [ids.quantity], { digits: QUANTITY_DIGITS });
  if (!state.pricelists) await setPricelists(odoo, true);
}

/** What an admin clicks: Settings → Sales/Invoicing → Pricelists, then Save. */
export async function setPricelists(odoo: OdooClient, on: boolean): Promise<void> {
  const [id] = await odoo.create('res.config.settings', [{ group_product_pricelist: on }]);
  if (id === undefined) throw new Error('Odoo did not create the settings record');
  await odoo.callOn('res.config.settings', 'execute', [id]);
}

/** Digits of the two precisions, by id, for `remove` to put back. */
export async function restorePrecisions(odoo: OdooClient, previous: PreviousSettings): Promise<void> {
  const ids = await idsOf(odoo);
  if (previous.priceDigits !== undefined)
    await odoo.write('decimal.precision', [ids.price], { digits: previous.priceDigits });
  if (previous.quantityDigits !== undefined)
    await odoo.write('decimal.precision', [ids.quantity], { digits: previous.quantityDigits });
}
