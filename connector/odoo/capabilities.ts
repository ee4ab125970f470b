/**
 * What differs between the Odoo versions the connector supports, in one table filled at start,
 * so that the rest of the code asks a question ("which field holds the payment memo?") instead of
 * comparing version numbers. Source: `odoo-contract/NOTES.md` and FIELDS-DIFF.md.
 */
export interface Capabilities {
  major: number;
  /** 17: `detailed_type` (plus `type`); 18+: `type` (`consu`/`service`/`combo`). */
  productTypeField: 'detailed_type' | 'type';
  /** 17, 18 have `uom_po_id` (required) beside `uom_id`; 19 does not. */
  hasPurchaseUom: boolean;
  /** 17, 18 group units in `uom.category`; 19 has no categories. */
  hasUomCategory: boolean;
  /** 17, 18 require `categ_id` on products. */
  productCategoryRequired: boolean;
  /** The payment's memo: 17 `ref`, 18+ `memo`. */
  paymentMemoField: 'ref' | 'memo';
  /** Payment states meaning "money received" (17: `posted`; 18+: `paid`, and `in_process` while matching). */
  paymentDoneStates: readonly string[];
  /** Payment states meaning "no longer counts". */
  paymentCancelledStates: readonly string[];
  /** The field of a payment's own journal entry pointing back to it: 17 `payment_id`, 18+ `origin_payment_id`. */
  moveOriginPaymentField: 'payment_id' | 'origin_payment_id';
  /** 19 leaves a draft invoice's `name` false until posting. */
  draftInvoiceHasName: boolean;
  /** 19 answers `message_post` with a list of ids over JSON-RPC. */
  messagePostAnswersList: boolean;
  userGroupsField: 'groups_id' | 'group_ids';
  /** The groups of a menu, view, window or server action: 17, 18 `groups_id`; 19 `group_ids`. */
  recordGroupsField: 'groups_id' | 'group_ids';
  /** A group's members: 17, 18 `users`; 19 `user_ids`. */
  groupUsersField: 'users' | 'user_ids';
  /**
   * What puts a group under a heading ("RCP / User") that an administrator may create through the
   * API: 19 a `res.groups.privilege` in the group's `privilege_id`. On 17, 18 the heading would be an
   * `ir.module.category`, which only modules may create (no group may): undefined, the group's own
   * name carries the heading.
   */
  groupHeading: { model: 'res.groups.privilege'; field: 'privilege_id' } | undefined;
  /** The list view: 17 `tree` (in arch and `view_mode`); 18+ `list`. */
  listViewType: 'tree' | 'list';
  /** A form's chatter: 17 a `div.oe_chatter` of the mail fields; 18+ the `<chatter/>` tag. */
  chatterArch: string;
  /** The quantity precision: 17, 18 'Product Unit of Measure' (module product); 19 'Product Unit' (module uom). */
  quantityPrecision: { xmlid: string; name: string };
  /** 19+ serve `/json/2/<model>/<method>`. */
  hasJson2: boolean;
  /**
   * Methods the connector calls on a model (no records) that Odoo on this version still takes as
   * methods on records, so that `/jsonrpc` must send an id list before their arguments
   * (`model.method`, or `*.method` for a method of every model). Probed on each version: 17 and 18
   * take `precision_get` on records and 19 on the model; 18+ `has_access` on records (17 has none).
   * An id list sent to a method taken on the model shifts every argument by one (19's "takes 2
   * positional arguments but 3 were given").
   */
  modelMethodsOnRecords: readonly string[];
}

export function capabilitiesFor(major: number): Capabilities {
  const from18 = major >= 18;
  const from19 = major >= 19;
  return {
    major,
    productTypeField: from18 ? 'type' : 'detailed_type',
    hasPurchaseUom: !from19,
    hasUomCategory: !from19,
    productCategoryRequired: !from19,
    paymentMemoField: from18 ? 'memo' : 'ref',
    paymentDoneStates: from18 ? ['paid', 'in_process'] : ['posted'],
    paymentCancelledStates: from18 ? ['canceled', 'rejected'] : ['cancel'],
    moveOriginPaymentField: from18 ? 'origin_payment_id' : 'payment_id',
    draftInvoiceHasName: !from19,
    messagePostAnswersList: from19,
    userGroupsField: from19 ? 'group_ids' : 'groups_id',
    recordGroupsField: from19 ? 'group_ids' : 'groups_id',
    groupUsersField: from19 ? 'user_ids' : 'users',
    groupHeading: from19 ? { model: 'res.groups.privilege', field: 'privilege_id' } : undefined,
    listViewType: from18 ? 'list' : 'tree',
    chatterArch: from18
      ? '<chatter/>'
      : '<div class="oe_chatter"><field name="message_follower_ids"/><field name="activity_ids"/><field name="message_ids"/></div>',
    quantityPrecision: from19
      ? { xmlid: 'uom.decimal_product_uom', name: 'Product Unit' }
      : { xmlid: 'product.decimal_product_uom', name: 'Product Unit of Measure' },
    hasJson2: from19,
    modelMethodsOnRecords: [
      ...(from19 ? [] : ['decimal.precision.precision_get']),
      ...(from18 ? ['*.has_access'] : []),
    ],
  };
}

/**
 * How a call is made on this version, decided here for every caller and both protocols: a call on
 * the model (no `ids`) of a method Odoo takes on records gets an empty id list.
 */
export function callAsOdooTakesIt<C extends { model: string; method: string; ids?: readonly number[] }>(
  capabilities: Capabilities,
  call: C,
): C {
  if (call.ids !== undefined) return call;
  const onRecords = capabilities.modelMethodsOnRecords.some(
    (name) => name === `${call.model}.${call.method}` || name === `*.${call.method}`,
  );
  return onRecords ? { ...call, ids: [] } : call;
}

export const SUPPORTED_MAJORS = [17, 18, 19] as const;
