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
  const book = counterpartyBook(partners, ownPartnerIds);
  const resellers = new Map(
    [...book.resellers].map(([id, unit]) => [id, { ...unit, clients: [...unit.clients] }]),
  );
  const units: InvoicedCounterparty[] = [];
  const unknownPartners = new Map<string, InvoicedCounterparty>();
  for (const client of clients) {
    const place = placeClient(client, book);
    if ('unit' in place) units.push(place.unit);
    else {
      const group =
        resellers.get(place.partnerId) ??
        unknownPartners.get(place.partnerId) ??
        unknownPartners.set(place.partnerId, unknownPartner(place.partnerId)).get(place.partnerId);
      group?.clients.push(place.member);
    }
  }
  return [...units, ...unknownPartners.values(), ...resellers.values()];
}

/** What placing a client needs: the own partners, and each reseller's invoice (without clients). */
export interface CounterpartyBook {
  own: ReadonlySet<string>;
  resellers: ReadonlyMap<string, InvoicedCounterparty>;
}

export function counterpartyBook(
  partners: readonly PartnerLike[],
  ownPartnerIds: readonly string[],
): CounterpartyBook {
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
  return { own, resellers };
}

/**
 * Where one client is invoiced: on an invoice of its own (with no partner, or an own partner's),
 * or among the clients of its partner's: a reseller's, or a partner RCP did not list, whose
 * clients nobody is invoiced for by guess (the process reports them, once per partner).
 */
export function placeClient(
  client: ClientLike,
  book: CounterpartyBook,
): { unit: InvoicedCounterparty } | { partnerId: string; member: InvoicedCounterparty['clients'][number] } {
  const partnerId = client.partner?.id;
  const member = {
    id: client.id,
    name: client.name,
    ...(client.contract ? { planId: client.contract.billing_plan.id } : {}),
  };
  if (partnerId && !book.own.has(partnerId)) return { partnerId, member };
  return {
    unit: {
      kind: 'client',
      uuid: client.id,
      name: client.name,
      clients: [member],
      ...(partnerId ? { partnerId } : {}),
      paymentModel: client.payment_model,
    },
  };
}

/** The invoice of a partner RCP did not list, holding its clients: never made, reported. */
export function unknownPartner(partnerId: string): InvoicedCounterparty {
  return {
    kind: 'partner',
    uuid: partnerId,
    name: `(unknown partner ${partnerId})`,
    clients: [],
    paymentModel: 'postpay',
  };
}

/**
 * Items (counterparties, or groups of clients) cut into chunks of about `clients` clients, in
 * order: a chunk is closed before the item that would take it past that; an item with more is a
 * chunk alone (a reseller is never split).
 */
export function chunksOf<T>(items: readonly T[], sizeOf: (item: T) => number, clients: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    if (size > 0 && size + sizeOf(item) > clients) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += sizeOf(item);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
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
