import pMap from 'p-map';
import { splitXmlid } from '../../mappings/external-ids.ts';
import { batchesOf } from '../batches.ts';
import type { OdooClient } from './client.ts';
import { OdooError } from './errors.ts';

const NAMES_PER_CALL = 2_000;

export interface XmlidTarget {
  model: string;
  id: number;
}

/**
 * External IDs in bulk. Reading `ir.model.data` directly is one call per 2,000 names but needs the
 * Access Rights group; without it (a least-privilege integration user) each name is resolved with
 * `check_object_reference`, which any user may call, a few in flight at once. Creating external
 * IDs for existing records needs Access Rights; new records get theirs through `load()` instead.
 */
class ExternalIds {
  #mode: 'table' | 'per-name' = 'table';

  constructor(private readonly odoo: OdooClient) {}

  get mode(): 'table' | 'per-name' {
    return this.#mode;
  }

  /** Maps each full name (`module.name`) that exists to its record; absent names are left out. */
  async resolve(xmlids: readonly string[]): Promise<Map<string, XmlidTarget>> {
    const unique = [...new Set(xmlids)];
    if (unique.length === 0) return new Map();
    if (this.#mode === 'table') {
      try {
        return await this.#resolveFromTable(unique);
      } catch (error) {
        if (!(error instanceof OdooError && error.kind === 'access')) throw error;
        this.#mode = 'per-name';
      }
    }
    return this.#resolvePerName(unique);
  }

  /** Creates external IDs for existing records (needs Administration / Access Rights). */
  async create(entries: ReadonlyArray<{ xmlid: string; model: string; id: number }>): Promise<void> {
    await this.odoo.create(
      'ir.model.data',
      entries.map((entry) => ({
        ...splitXmlid(entry.xmlid),
        model: entry.model,
        res_id: entry.id,
        noupdate: true,
      })),
    );
  }

  /**
   * Up to `NAMES_PER_CALL` names per search_read, every module in the same call (an indexed
   * lookup: Odoo's cost is the names, not the calls; a sync of 10,000 companies needs a handful).
   */
  async #resolveFromTable(xmlids: string[]): Promise<Map<string, XmlidTarget>> {
    const found = new Map<string, XmlidTarget>();
    const perCall = Math.max(this.odoo.config.batchSize, NAMES_PER_CALL);
    for (let start = 0; start < xmlids.length; start += perCall) {
      const byModule = new Map<string, string[]>();
      for (const xmlid of xmlids.slice(start, start + perCall)) {
        const { module, name } = splitXmlid(xmlid);
        byModule.set(module, [...(byModule.get(module) ?? []), name]);
      }
      const domain: unknown[] = [...byModule.keys()].slice(1).map(() => '|');
      for (const [module, names] of byModule)
        domain.push('&', ['module', '=', module], ['name', 'in', names]);
      const rows = await this.odoo.searchRead<{
        id: number;
        module: string;
        name: string;
        model: string;
        res_id: number;
      }>('ir.model.data', domain, ['module', 'name', 'model', 'res_id']);
      for (const row of rows) found.set(`${row.module}.${row.name}`, { model: row.model, id: row.res_id });
    }
    return found;
  }

  async #resolvePerName(xmlids: string[]): Promise<Map<string, XmlidTarget>> {
    const found = new Map<string, XmlidTarget>();
    await pMap(
      xmlids,
      async (xmlid) => {
        const { module, name } = splitXmlid(xmlid);
        try {
          const [model, id] = await this.odoo.call<[string, number]>({
            model: 'ir.model.data',
            method: 'check_object_reference',
            params: [
              ['module', module],
              ['xml_id', name],
            ],
          });
          found.set(xmlid, { model, id });
        } catch (error) {
          // "External ID not found in the system": simply absent.
          if (!(error instanceof OdooError && error.kind === 'validation')) throw error;
        }
      },
      { concurrency: Math.max(1, this.odoo.config.concurrency) },
    );
    return found;
  }
}

const byClient = new WeakMap<OdooClient, ExternalIds>();

/** The external IDs of one Odoo connection (which remembers whether it may read the table). */
export function externalIds(odoo: OdooClient): ExternalIds {
  let found = byClient.get(odoo);
  if (!found) {
    found = new ExternalIds(odoo);
    byClient.set(odoo, found);
  }
  return found;
}
