import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import {
  type BillingPeriod,
  type DayRange,
  type Part,
  addDays,
  daysOf,
  periodSeconds,
  quantumOf,
} from '../../mappings/period.ts';

/**
 * The simulator's world, generated from a seed: the same seed gives the same partners, clients,
 * plans and usage, so tests and the demo can name what they expect. Clients are built on demand
 * from their index, so 100,000 of them cost little until read.
 */

export interface CatalogEntry {
  id: string;
  name: string;
  sku_mask: string;
  measure: 'ГБ' | 'шт.';
  period: BillingPeriod;
  /** Base price per unit per period, as a decimal string (RCP prices often have 4 decimals). */
  price: string;
  snap: boolean;
  /** Typical quantity range of one resource. */
  quantity: [number, number];
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'kvm_hdd_ultrafast',
    name: 'Предоставление дискового пространства уровня SSD (KVM)',
    sku_mask: 'IS-KVM-VHDD-SSD-CA-P-GB-D',
    measure: 'ГБ',
    period: 'hour',
    price: '0.0107',
    snap: false,
    quantity: [20, 500],
  },
  {
    id: 'kvm_hdd_fast',
    name: 'Предоставление дискового пространства уровня HDD (KVM)',
    sku_mask: 'IS-KVM-VHDD-HDD-CA-P-GB-D',
    measure: 'ГБ',
    period: 'hour',
    price: '0.0048',
    snap: false,
    quantity: [50, 2000],
  },
  {
    id: 'kvm_cpu',
    name: 'Предоставление виртуального процессора (KVM)',
    sku_mask: 'IS-KVM-VCPU-CA-P-PCS-H',
    measure: 'шт.',
    period: 'hour',
    price: '0.85',
    snap: false,
    quantity: [1, 16],
  },
  {
    id: 'kvm_ram',
    name: 'Предоставление оперативной памяти (KVM)',
    sku_mask: 'IS-KVM-VRAM-CA-P-GB-H',
    measure: 'ГБ',
    period: 'hour',
    price: '0.32',
    snap: false,
    quantity: [1, 64],
  },
  {
    id: 'vmware_cpu_3_2',
    name: 'Предоставление виртуального процессора 3.2 GHz (ESXi)',
    sku_mask: 'IS-ESXI-VCPU-32-P-PCS-D',
    measure: 'шт.',
    period: 'day',
    price: '24',
    snap: true,
    quantity: [1, 8],
  },
  {
    id: 'backup_storage',
    name: 'Резервное копирование «Облачное хранилище»',
    sku_mask: 'IS-BKP-STOR-P-GB-M',
    measure: 'ГБ',
    period: 'month',
    price: '2.5',
    snap: true,
    quantity: [10, 1000],
  },
  {
    id: 'public_ip',
    name: 'Публичный IP-адрес',
    sku_mask: 'IS-NET-IPV4-P-PCS-M',
    measure: 'шт.',
    period: 'month',
    price: '150',
    snap: true,
    quantity: [1, 4],
  },
  {
    id: 'win_license',
    name: 'Лицензия Windows Server "Datacenter"',
    sku_mask: '',
    measure: 'шт.',
    period: 'month',
    price: '1200',
    snap: true,
    quantity: [1, 2],
  },
  {
    id: 'lb_requests',
    name: 'Балансировщик нагрузки (поминутно)',
    sku_mask: 'IS-NET-LB-P-PCS-MIN',
    measure: 'шт.',
    period: 'minute',
    price: '0.0125',
    snap: false,
    quantity: [1, 3],
  },
];

export interface SimPlan {
  id: string;
  name: string;
  /** Per billing class: price and period in this plan. */
  prices: Map<string, { priceId: string; cost: string; period: BillingPeriod; snap: boolean }>;
}

export interface SimPartner {
  index: number;
  id: string;
  name: string;
  own: boolean;
  contractId: string;
  /** The provider–partner plan: what the partner pays. */
  plan: SimPlan;
  /** The plan the partner's clients are put on. */
  clientPlan: SimPlan;
  balanceKopecks: number;
}

export interface SimResource {
  billingClass: CatalogEntry;
  targetId: string;
  targetName: string;
  project: string;
  quantity: number;
  from: string;
  /** Last day used, or undefined while still running. */
  to: string | undefined;
  /** Hours used on the first day (ordered mid-day). */
  firstDayHours: number;
}

export interface SimClient {
  index: number;
  id: string;
  name: string;
  ctime: string;
  partner: SimPartner;
  paymentModel: 'prepay' | 'postpay';
  contractId: string;
  plan: SimPlan;
  resources: SimResource[];
}

export interface UsageRowOut {
  target: { id: string; type: string; name: string };
  billing_class: { id: string; name: string; measure: string };
  paid_seconds: number;
  quantity: number;
  cost: number;
  project: string;
  period: BillingPeriod;
  date: string;
}

/** A deterministic UUID (v4 layout) for a name within a seed. */
export function uuidFor(seed: number, name: string): string {
  const hex = createHash('sha256').update(`${seed}:${name}`).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(seed: number, name: string): number {
  return Number.parseInt(createHash('sha256').update(`${seed}:${name}`).digest('hex').slice(0, 8), 16);
}

const COMPANY_WORDS = [
  'Ромашка',
  'Вектор',
  'СмартМониторинг',
  'Облачное облако',
  'Северный ветер',
  'Альфа-Софт',
  'Гранит',
  'Ёлка и Ко',
  'Меридиан',
  'Байт',
];
const FORMS = ['ООО', 'АО', 'ИП', 'ПАО'];

export interface WorldOptions {
  seed: number;
  clients: number;
  /** Partners including the provider's own channel; default scales with clients. */
  partners?: number;
  /** Share of clients in the provider's own channel (direct sales); default: an equal share with each reseller. */
  ownShare?: number;
  /** The simulator's today: usage runs up to the day before. */
  today: string;
}

export class World {
  readonly seed: number;
  readonly today: string;
  readonly partners: SimPartner[] = [];
  readonly plans = new Map<string, SimPlan>();
  /** Client indexes in list order: newest first, as RCP lists them. */
  readonly order: number[] = [];
  #clientCount: number;
  readonly #ownShare: number | undefined;
  readonly #clientCache = new Map<number, SimClient>();
  readonly #usageScale = new Map<number, number>();
  /** Names changed in RCP after generation, by client index. */
  readonly #renamed = new Map<number, string>();
  /** Payments received, by client index, in kopecks. */
  readonly #credits = new Map<number, number>();
  #idIndex: Map<string, number> | undefined;

  constructor(options: WorldOptions) {
    this.seed = options.seed;
    this.today = options.today;
    this.#clientCount = options.clients;
    this.#ownShare = options.ownShare;
    const basePlan = this.#plan('base', 'Базовый тарифный план', '1');
    const partnerCount = options.partners ?? Math.max(3, Math.min(50, Math.ceil(options.clients / 15)));
    for (let index = 0; index < partnerCount; index++) {
      const own = index === 0;
      const name = own ? 'Провайдер (прямые продажи)' : `ООО "Облачный партнёр №${index}"`;
      this.partners.push({
        index,
        id: uuidFor(this.seed, `partner:${index}`),
        name,
        own,
        contractId: uuidFor(this.seed, `partner-contract:${index}`),
        // The provider sells to resellers at a discount, with some classes billed per another period.
        plan: own ? basePlan : this.#plan(`partner:${index}`, `Партнёрский план «${name}»`, '0.7', true),
        clientPlan: own
          ? basePlan
          : this.#plan(`partner-clients:${index}`, `Тариф клиентов партнёра №${index}`, '1.2'),
        balanceKopecks: Math.round((prng(seedOf(this.seed, `pb:${index}`))() - 0.3) * 10_000_000),
      });
    }
    for (let index = options.clients - 1; index >= 0; index--) this.order.push(index);
  }

  get clientCount(): number {
    return this.#clientCount;
  }

  /** Adds a client at the head of the list (as a newly registered one appears in RCP). */
  addClient(): SimClient {
    const index = this.#clientCount++;
    this.order.unshift(index);
    const client = this.client(index);
    this.#idIndex?.set(client.id, index);
    return client;
  }

  client(index: number): SimClient {
    let client = this.#clientCache.get(index);
    if (!client) {
      client = this.#makeClient(index);
      if (this.#clientCache.size > 5_000) this.#clientCache.clear();
      this.#clientCache.set(index, client);
    }
    const renamed = this.#renamed.get(index);
    return renamed === undefined ? client : { ...client, name: renamed };
  }

  /** Multiplies a client's usage from now on (its resources grew or shrank). */
  scaleUsage(index: number, factor: number): void {
    this.#usageScale.set(index, factor);
  }

  /** Renames a client, as an RCP admin would. */
  renameClient(index: number, name: string): void {
    this.#renamed.set(index, name);
  }

  clientById(id: string): SimClient | undefined {
    if (!this.#idIndex) {
      this.#idIndex = new Map();
      for (let index = 0; index < this.#clientCount; index++)
        this.#idIndex.set(uuidFor(this.seed, `client:${index}`), index);
    }
    // RCP's ids are uuids: an upper-case copy names the same client.
    const index = this.#idIndex.get(id.toLowerCase());
    return index === undefined ? undefined : this.client(index);
  }

  /** A client's contract balance in kopecks: a generated opening balance plus payments received. */
  clientBalanceKopecks(client: SimClient): number {
    const opening = Math.round((prng(seedOf(this.seed, `balance:${client.index}`))() - 0.5) * 4_000_000);
    return opening + (this.#credits.get(client.index) ?? 0);
  }

  creditClient(client: SimClient, kopecks: number): void {
    this.#credits.set(client.index, (this.#credits.get(client.index) ?? 0) + kopecks);
  }

  partnerById(id: string): SimPartner | undefined {
    return this.partners.find((partner) => partner.id === id);
  }

  /** Usage of a client by day, for each day of `range` (before today, after the client began). */
  dailyUsage(client: SimClient, range: DayRange): UsageRowOut[] {
    const rows: UsageRowOut[] = [];
    for (const day of daysOf(range)) {
      if (day >= this.today) break;
      for (const resource of client.resources) {
        if (day < resource.from || (resource.to !== undefined && day > resource.to)) continue;
        const price = client.plan.prices.get(resource.billingClass.id);
        if (!price) continue;
        const hours = day === resource.from ? resource.firstDayHours : 24;
        const paidSeconds = new Decimal(resource.quantity)
          .times(this.#usageScale.get(client.index) ?? 1)
          .times(hours * 3600);
        // RCP states quantities to 6 places; cost is exactly that quantity times the price.
        const quantity = paidSeconds.div(periodSeconds(price.period, day)).toDecimalPlaces(6);
        rows.push({
          target: { id: resource.targetId, type: 'vm', name: resource.targetName },
          billing_class: {
            id: resource.billingClass.id,
            name: resource.billingClass.name,
            measure: resource.billingClass.measure,
          },
          paid_seconds: paidSeconds.toNumber(),
          quantity: quantity.toNumber(),
          cost: quantity.times(price.cost).toNumber(),
          project: resource.project,
          period: price.period,
          date: day,
        });
      }
    }
    return rows;
  }

  /** Usage in quanta of `part`: every quantum overlapping `range`, whole (RCP's calendar-fixed quanta). */
  usage(client: SimClient, range: DayRange, part: Part): UsageRowOut[] {
    const first = quantumOf(range.start, part).start;
    const last = quantumOf(range.end, part).end;
    const daily = this.dailyUsage(client, { start: first, end: last });
    if (part === 'day') return daily;
    const grouped = new Map<
      string,
      { row: UsageRowOut; seconds: Decimal; quantity: Decimal; cost: Decimal }
    >();
    for (const row of daily) {
      const date = quantumOf(row.date, part).start;
      const key = `${date}|${row.target.id}|${row.billing_class.id}|${row.project}|${row.period}`;
      const group = grouped.get(key) ?? {
        row: { ...row, date },
        seconds: new Decimal(0),
        quantity: new Decimal(0),
        cost: new Decimal(0),
      };
      group.seconds = group.seconds.plus(row.paid_seconds);
      group.quantity = group.quantity.plus(row.quantity);
      group.cost = group.cost.plus(row.cost);
      grouped.set(key, group);
    }
    return [...grouped.values()].map(({ row, seconds, quantity, cost }) => ({
      ...row,
      paid_seconds: seconds.toNumber(),
      quantity: quantity.toNumber(),
      cost: cost.toNumber(),
    }));
  }

  #plan(key: string, name: string, factor: string, otherPeriods = false): SimPlan {
    const plan: SimPlan = { id: uuidFor(this.seed, `plan:${key}`), name, prices: new Map() };
    for (const entry of CATALOG) {
      // A reseller's plan prices CPUs per day where clients pay per hour: re-pricing must convert.
      const period: BillingPeriod = otherPeriods && entry.id === 'kvm_cpu' ? 'day' : entry.period;
      const perPeriod = new Decimal(entry.price).times(period === entry.period ? 1 : 24);
      plan.prices.set(entry.id, {
        priceId: uuidFor(this.seed, `price:${key}:${entry.id}`),
        cost: perPeriod.times(factor).toDecimalPlaces(4).toString(),
        period,
        snap: entry.snap,
      });
    }
    this.plans.set(plan.id, plan);
    return plan;
  }

  #partnerOf(index: number, random: () => number): SimPartner {
    if (this.#ownShare === undefined || this.partners.length < 2) {
      return this.partners[index % this.partners.length] as SimPartner;
    }
    if (random() < this.#ownShare) return this.partners[0] as SimPartner;
    return this.partners[1 + (index % (this.partners.length - 1))] as SimPartner;
  }

  #makeClient(index: number): SimClient {
    const random = prng(seedOf(this.seed, `client:${index}`));
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const partner = this.#partnerOf(index, random);
    const word = pick(COMPANY_WORDS);
    const form = pick(FORMS);
    const name = form === 'ИП' ? `ИП ${word} №${index}` : `${form} "${word} №${index}"`;
    const started = addDays(this.today, -30 - Math.floor(random() * 900));
    const resources: SimResource[] = [];
    const count = 1 + Math.floor(random() * 4);
    for (let r = 0; r < count; r++) {
      const billingClass = pick(CATALOG);
      const [low, high] = billingClass.quantity;
      const from = addDays(started, Math.floor(random() * 20));
      const stops = random() < 0.2;
      resources.push({
        billingClass,
        targetId: uuidFor(this.seed, `target:${index}:${r}`),
        targetName: `Сервер «${word}» ${r + 1}`,
        project: uuidFor(this.seed, `project:${index}`),
        quantity: Math.round(low + random() * (high - low)),
        from,
        to: stops ? addDays(from, 10 + Math.floor(random() * 200)) : undefined,
        firstDayHours: 1 + Math.floor(random() * 24),
      });
    }
    return {
      index,
      id: uuidFor(this.seed, `client:${index}`),
      name,
      ctime: `${started}T${String(6 + (index % 12)).padStart(2, '0')}:38:43.051283`,
      partner,
      paymentModel: random() < 0.4 ? 'postpay' : 'prepay',
      contractId: uuidFor(this.seed, `client-contract:${index}`),
      plan: partner.clientPlan,
      resources,
    };
  }
}
