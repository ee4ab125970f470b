/**
 * Who is invoiced (docs/product.md, "Who is invoiced"): a client of an own partner, or with no partner,
 * directly at its own prices; a reseller partner once for all its clients, at its own plan.
 */
export interface InvoicedCounterparty {
  kind: 'client' | 'partner';
  uuid: string;
  name: string;
  /** The clients whose usage the invoice covers, with their own billing plan (to check their usage's cost). */
  clients: Array<{ id: string; name: string; planId?: string }>;
  /** A direct client's partner (an own partner), when it has one. */
  partnerId?: string;
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
  contract?: { billing_plan: { id: string } } | undefined;
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
  const unknownPartners = new Map<string, InvoicedCounterparty>();
  for (const client of clients) {
    const partnerId = client.partner?.id;
    const reseller = partnerId && !own.has(partnerId) ? resellers.get(partnerId) : undefined;
    const member = {
      id: client.id,
      name: client.name,
      ...(client.contract ? { planId: client.contract.billing_plan.id } : {}),
    };
    if (reseller) reseller.clients.push(member);
    else if (!partnerId || own.has(partnerId)) {
      units.push({
        kind: 'client',
        uuid: client.id,
        name: client.name,
        clients: [member],
        ...(partnerId ? { partnerId } : {}),
        paymentModel: client.payment_model,
      });
    } else {
      // A client of a partner RCP did not list: invoice nobody by guess; the process reports it,
      // once per partner with all its clients.
      const unknown = unknownPartners.get(partnerId);
      if (unknown) unknown.clients.push(member);
      else
        unknownPartners.set(partnerId, {
          kind: 'partner',
          uuid: partnerId,
          name: `(unknown partner ${partnerId})`,
          clients: [member],
          paymentModel: 'postpay',
        });
    }
  }
  return [...units, ...unknownPartners.values(), ...resellers.values()];
}

/**
 * The counterparties that `--partner` and `--client` choose, the same for the CLI and the worker:
 * `--partner` a reseller → its invoice; an own partner → its direct clients' invoices; `--client` a
 * direct client → its invoice (a reseller's client is invoiced through its partner: a problem).
 * Ids are compared lower-case.
 */
export function selectUnits(
  units: readonly InvoicedCounterparty[],
  filter: { partner?: string | undefined; client?: string | undefined; only?: readonly string[] | undefined },
): { units: InvoicedCounterparty[] } | { problem: string } {
  const partner = filter.partner?.toLowerCase();
  const client = filter.client?.toLowerCase();
  let chosen = [...units];
  if (filter.only) {
    // A retry of failed records: each named counterparty, or the reseller invoicing a named client.
    const only = new Set(filter.only.map((id) => id.toLowerCase()));
    chosen = chosen.filter((u) => only.has(u.uuid) || u.clients.some((c) => only.has(c.id)));
  }
  if (partner) chosen = chosen.filter((u) => (u.kind === 'partner' ? u.uuid : u.partnerId) === partner);
  if (!client) return { units: chosen };
  const direct = chosen.find((u) => u.kind === 'client' && u.uuid === client);
  if (direct) return { units: [direct] };
  const reseller = units.find((u) => u.kind === 'partner' && u.clients.some((c) => c.id === client));
  if (reseller)
    return {
      problem: `client ${client} is invoiced through its partner ${reseller.name}: use --partner ${reseller.uuid}`,
    };
  return {
    problem: partner
      ? `client ${client} is not a direct client of partner ${partner} in RCP`
      : `client ${client} is not in RCP's client list`,
  };
}
