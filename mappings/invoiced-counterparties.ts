/**
 * Who is invoiced (docs/product.md, "Who is invoiced"): a client of an own partner, or with no partner,
 * directly at its own prices; a reseller partner once for all its clients, at its own plan.
 */
export interface InvoicedCounterparty {
  kind: 'client' | 'partner';
  uuid: string;
  name: string;
  /** The clients whose usage the invoice covers. */
  clients: Array<{ id: string; name: string }>;
  /** A reseller's own billing plan, whose prices re-price its clients' usage. */
  partnerPlanId?: string;
  paymentModel: 'prepay' | 'postpay';
}

interface PartnerLike {
  id: string;
  name: string;
  contract?: { billing_plan: { id: string } } | null | undefined;
}

interface ClientLike {
  id: string;
  name: string;
  payment_model: 'prepay' | 'postpay';
  partner?: { id: string } | null | undefined;
}

export function invoicedCounterparties(
  partners: readonly PartnerLike[],
  clients: readonly ClientLike[],
  ownPartnerIds: readonly string[],
): InvoicedCounterparty[] {
  const own = new Set(ownPartnerIds);
  const resellers = new Map<string, InvoicedCounterparty>();
  for (const partner of partners) {
    if (own.has(partner.id)) continue;
    resellers.set(partner.id, {
      kind: 'partner',
      uuid: partner.id,
      name: partner.name,
      clients: [],
      ...(partner.contract ? { partnerPlanId: partner.contract.billing_plan.id } : {}),
      paymentModel: 'postpay',
    });
  }
  const units: InvoicedCounterparty[] = [];
  for (const client of clients) {
    const partnerId = client.partner?.id;
    const reseller = partnerId && !own.has(partnerId) ? resellers.get(partnerId) : undefined;
    if (reseller) reseller.clients.push({ id: client.id, name: client.name });
    else if (!partnerId || own.has(partnerId)) {
      units.push({
        kind: 'client',
        uuid: client.id,
        name: client.name,
        clients: [{ id: client.id, name: client.name }],
        paymentModel: client.payment_model,
      });
    } else {
      // A client of a partner RCP did not list: invoice nobody by guess; the process reports it.
      units.push({
        kind: 'partner',
        uuid: partnerId,
        name: `(unknown partner ${partnerId})`,
        clients: [{ id: client.id, name: client.name }],
        paymentModel: 'postpay',
      });
    }
  }
  return [...units, ...resellers.values()];
}
