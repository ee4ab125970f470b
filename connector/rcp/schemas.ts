import { z } from 'zod';
import { DAY_PATTERN } from '../../mappings/period.ts';

/**
 * RCP's answers, parsed once at the edge. Objects are `passthrough`: fields RCP adds later are
 * kept, not fatal. Only what the connector relies on is required.
 */

/**
 * RCP's ids are uuids; their case carries no meaning, so they are kept lower-case from here on
 * (an upper-case copy of a client's id is the same client, never a second company): see
 * `lowerCaseIds`. (Not a zod transform: at 100,000 clients its cost doubled parsing.)
 */
export const Uuid = z.string().uuid('expected a uuid');
/** A day that exists: `2024-02-30` is refused and named, never dropped later as "outside the month". */
const IsoDate = z.string().date('not a day of the calendar (YYYY-MM-DD)');
/** RCP writes `2023-03-31T06:38:43+03:00` and `2023-03-31T06:38:43.051283` (no offset) alike. */
const IsoDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/);
/** A balance (may be negative). JSON's `1e400` parses as Infinity: refused. */
const Money = z.number().finite();
/** What is charged or counted: never negative, never infinite. */
const Amount = z.number().finite().nonnegative();

export const PeriodName = z.enum(['minute', 'hour', 'day', 'month', 'year']);

const Ref = z.object({ id: Uuid, name: z.string() }).passthrough();
const Counterparty = z
  .object({ id: z.string(), name: z.string(), entity: z.string() })
  .passthrough()
  .nullable()
  .optional();
const PlanRef = z.object({ id: Uuid, name: z.string() }).passthrough();

/** An RCP contract: a client's card, or a partner's contract with the provider. */
const Contract = z
  .object({
    id: Uuid,
    balance: Money,
    name: z.string().optional(),
    counterparty_left: Counterparty,
    counterparty_right: Counterparty,
    billing_plan: PlanRef,
  })
  .passthrough();

export const PartnerContract = Contract.extend({ inactive: z.boolean().optional() }).passthrough();

export const Partner = z
  .object({ id: Uuid, name: z.string(), contract: PartnerContract.nullable().optional() })
  .passthrough();
export type Partner = z.infer<typeof Partner>;

export const Client = z
  .object({
    id: Uuid,
    name: z.string(),
    ctime: IsoDateTime.optional(),
    partner: Ref.nullable().optional(),
    payment_model: z.enum(['prepay', 'postpay']),
    payment_methods: z
      .array(
        z.object({ id: z.string(), name: z.string(), min_amount: Money.nullable().optional() }).passthrough(),
      )
      .default([]),
    contact_emails: z
      .array(
        z
          .object({ email: z.string().nullable().optional(), username: z.string().nullable().optional() })
          .passthrough(),
      )
      .default([]),
    contract: Contract,
    billing_enabled: z.boolean().optional(),
    locked: z.boolean().optional(),
  })
  .passthrough();
export type Client = z.infer<typeof Client>;

export const BillingClass = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    sku_mask: z.string().nullable().optional(),
    measure: z.string(),
  })
  .passthrough();
export type BillingClass = z.infer<typeof BillingClass>;

export const Price = z
  .object({
    id: Uuid,
    cost: Amount,
    billing_plan: Uuid,
    billing_class: BillingClass,
    name: z.string(),
    period: PeriodName,
    snap_to_period: z.boolean().default(false),
  })
  .passthrough();
export type Price = z.infer<typeof Price>;

export const UsageRow = z
  .object({
    target: z
      .object({ id: z.string(), type: z.string(), name: z.string() })
      .passthrough()
      .nullable()
      .optional(),
    billing_class: z.object({ id: z.string().min(1), name: z.string(), measure: z.string() }).passthrough(),
    paid_seconds: Amount,
    quantity: Amount,
    cost: Amount,
    project: z.string().nullable().optional(),
    period: PeriodName,
    date: IsoDate,
  })
  .passthrough();
export type UsageRow = z.infer<typeof UsageRow>;

export const Token = z
  .object({ key: z.string().min(1), expires: IsoDateTime.nullable().optional() })
  .passthrough();
export type Token = z.infer<typeof Token>;

export const BankPayment = z
  .object({
    // RCP's own receipt id: kept as RCP writes it (the ledger records it; nothing is keyed on it).
    id: z.string().min(1),
    amount: Money,
    status: z.string().optional(),
    error_reason: z.string().nullable().optional(),
    details: z.string().nullable().optional(),
    contract: z.object({ id: Uuid, balance: Money }).passthrough().optional(),
    client: Ref.optional(),
    ctime: IsoDateTime.optional(),
  })
  .passthrough();
export type BankPayment = z.infer<typeof BankPayment>;

/** The envelope of every list endpoint; its items are validated one by one. */
export const Page = z.object({
  items: z.array(z.unknown()),
  total: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
});

/** RCP's error body (seen in its public clients). */
export const ErrorBody = z
  .object({
    error_alias: z.string().optional(),
    details: z.unknown().optional(),
    non_field_errors: z.unknown().optional(),
  })
  .passthrough();

/** The id of an RCP record not validated yet (to name it when it breaks the schema, or to tell it from another). */
export function idOf(item: unknown): string | undefined {
  if (
    typeof item === 'object' &&
    item !== null &&
    'id' in item &&
    typeof item.id === 'string' &&
    item.id !== ''
  )
    return item.id;
  return undefined;
}

/**
 * Lower-case the uuids of a parsed record, in place (cheap when they already are): what RCP sends
 * in either case is the same id. The RCP client applies them to every partner, client and price.
 */
export function lowerCasePartnerIds(partner: Partner): Partner {
  partner.id = partner.id.toLowerCase();
  if (partner.contract) lowerCaseContractIds(partner.contract);
  return partner;
}

export function lowerCaseClientIds(client: Client): Client {
  client.id = client.id.toLowerCase();
  if (client.partner) client.partner.id = client.partner.id.toLowerCase();
  lowerCaseContractIds(client.contract);
  return client;
}

export function lowerCasePriceIds(price: Price): Price {
  price.id = price.id.toLowerCase();
  price.billing_plan = price.billing_plan.toLowerCase();
  return price;
}

function lowerCaseContractIds(contract: { id: string; billing_plan: { id: string } }): void {
  contract.id = contract.id.toLowerCase();
  contract.billing_plan.id = contract.billing_plan.id.toLowerCase();
}
