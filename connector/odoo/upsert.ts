import {
  type DesiredRecord,
  type FieldSpecs,
  changedFields,
  loadColumns,
  normalise,
  toLoadRow,
} from '../../mappings/odoo-values.ts';
import { batchesOf } from '../batches.ts';
import { messageOf } from '../errors.ts';
import type { OdooClient } from './client.ts';
import { OdooError } from './errors.ts';
import { externalIds } from './external-ids.ts';

export interface FailedRecord {
  kind: string;
  record: string;
  error: string;
}

export interface PlannedChange {
  action: 'create' | 'update';
  label: string;
  fields: string[];
}

export interface UpsertReport {
  created: number;
  updated: number;
  unchanged: number;
  failed: FailedRecord[];
  /** Odoo id of every record that exists now (or would, for a dry run: existing only), by external ID. */
  ids: Map<string, number>;
  plan: PlannedChange[];
}

export interface UpsertInput {
  kind: string;
  model: string;
  specs: FieldSpecs;
  records: readonly DesiredRecord[];
  dryRun?: boolean;
  /** Context for the calls (e.g. the company to work in). */
  context?: Record<string, unknown>;
  /** Told how many of `records` are done (unchanged or written), after the diff and after each batch. */
  onProgress?: ((done: number) => void) | undefined;
}

/**
 * Brings records keyed by external ID to their desired values with few round trips: external IDs
 * are resolved in bulk, current values read in batches, and only new or changed records are sent,
 * through `load()`, which creates a record and its external ID together or not at all. Many2many
 * fields are then set with one `write` per distinct value. A batch Odoo refuses is split until the
 * bad records are alone: they are reported, the others land.
 */
export async function upsertRecords(odoo: OdooClient, input: UpsertInput): Promise<UpsertReport> {
  const report: UpsertReport = { created: 0, updated: 0, unchanged: 0, failed: [], ids: new Map(), plan: [] };
  const existing = await externalIds(odoo).resolve(input.records.map((r) => r.xmlid));
  for (const [xmlid, target] of existing) {
    if (target.model === input.model) report.ids.set(xmlid, target.id);
  }
  const fields = Object.keys(input.specs);
  const current = await readInBatches(odoo, input.model, [...report.ids.values()], fields);

  const toCreate: DesiredRecord[] = [];
  const toUpdate: DesiredRecord[] = [];
  for (const record of input.records) {
    const id = report.ids.get(record.xmlid);
    const stored = id === undefined ? undefined : current.get(id);
    if (id === undefined || stored === undefined) {
      // An external ID whose record was deleted is made again (load re-points it).
      toCreate.push(record);
      report.plan.push({ action: 'create', label: record.label, fields: Object.keys(record.values) });
      continue;
    }
    const changed = changedFields(input.specs, record.values, stored);
    if (changed.length === 0) report.unchanged++;
    else {
      toUpdate.push(record);
      report.plan.push({ action: 'update', label: record.label, fields: changed });
    }
  }
  input.onProgress?.(report.unchanged);
  if (input.dryRun) {
    input.onProgress?.(input.records.length);
    report.created = toCreate.length;
    report.updated = toUpdate.length;
    return report;
  }

  // Many2many sets go in the same load() (`category_id/.id` = "3,7": Odoo sets exactly those) when
  // every one is given and not empty; other records get theirs through write afterwards.
  const many2many = fields.filter((f) => input.specs[f]?.type === 'many2many');
  const setsInLoad = (record: DesiredRecord) =>
    many2many.every((f) => {
      const value = record.values[f];
      return Array.isArray(value) && value.length > 0;
    });
  const landed = new Map<string, number>();
  let loaded = 0;
  const load = async (records: DesiredRecord[], context: Record<string, unknown> | undefined) => {
    const groups = [
      { records: records.filter(setsInLoad), sets: many2many },
      { records: records.filter((r) => !setsInLoad(r)), sets: [] },
    ];
    for (const group of groups) {
      const input_ = { ...input, ...(context ? { context } : {}) };
      for (const [xmlid, id] of await loadInBatches(
        odoo,
        input_,
        group.records,
        fields,
        group.sets,
        report,
        loaded,
      ))
        landed.set(xmlid, id);
      loaded += group.records.length;
    }
  };
  // New records are created without chatter (no "created" message, no follower per record: Odoo's
  // mail bookkeeping was most of the cost of creating 10,000 companies); updates keep their tracking,
  // so a renamed client still shows the old and new name in its chatter.
  await load(toCreate, { ...input.context, tracking_disable: true });
  await load(toUpdate, input.context);
  report.created = toCreate.filter((r) => landed.has(r.xmlid)).length;
  report.updated = toUpdate.filter((r) => landed.has(r.xmlid)).length;
  for (const [xmlid, id] of landed) report.ids.set(xmlid, id);

  await setMany2many(
    odoo,
    input,
    [...toCreate, ...toUpdate].filter((r) => landed.has(r.xmlid) && !setsInLoad(r)),
    landed,
    report,
  );
  return report;
}

async function readInBatches(
  odoo: OdooClient,
  model: string,
  ids: number[],
  fields: string[],
): Promise<Map<number, Record<string, unknown>>> {
  const rows = new Map<number, Record<string, unknown>>();
  for (const batch of batchesOf(ids, odoo.config.batchSize)) {
    for (const row of await odoo.read(model, batch, fields)) rows.set(row.id, row);
  }
  return rows;
}

async function loadInBatches(
  odoo: OdooClient,
  input: UpsertInput,
  records: DesiredRecord[],
  fields: string[],
  /** Many2many fields sent in the load as well (every record has a non-empty list for each). */
  sets: readonly string[],
  report: UpsertReport,
  /** Records of this run already loaded before these (for progress). */
  loadedBefore: number,
): Promise<Map<string, number>> {
  const landed = new Map<string, number>();
  const columns = [...loadColumns(input.specs, fields), ...sets.map((f) => `${f}/.id`)];
  const loadBatch = async (batch: DesiredRecord[]): Promise<void> => {
    if (batch.length === 0) return;
    let result: Awaited<ReturnType<OdooClient['load']>>;
    try {
      result = await odoo.load(
        input.model,
        columns,
        batch.map((record) => [
          ...toLoadRow(input.specs, record, fields),
          ...sets.map((f) => (record.values[f] as number[]).join(',')),
        ]),
        input.context,
      );
    } catch (error) {
      if (!(error instanceof OdooError && error.kind === 'validation') || batch.length === 1) {
        if (batch.length === 1 && error instanceof OdooError && error.kind === 'validation') {
          fail(report, input.kind, batch[0] as DesiredRecord, error.serverMessage);
          return;
        }
        throw error;
      }
      await splitAndLoad(batch, loadBatch);
      return;
    }
    if (result.ids) {
      batch.forEach((record, index) => {
        const id = result.ids?.[index];
        if (id !== undefined) landed.set(record.xmlid, id);
      });
      return;
    }
    if (batch.length === 1) {
      fail(
        report,
        input.kind,
        batch[0] as DesiredRecord,
        result.messages.map((m) => m.message).join('; ') || 'refused',
      );
      return;
    }
    // Odoo names the bad rows by index: drop them and send the rest again; otherwise halve.
    const bad = new Set(
      result.messages.map((m) => m.record).filter((r): r is number => typeof r === 'number'),
    );
    if (bad.size > 0 && bad.size < batch.length) {
      for (const index of bad) {
        const message = result.messages
          .filter((m) => m.record === index)
          .map((m) => m.message)
          .join('; ');
        fail(report, input.kind, batch[index] as DesiredRecord, message);
      }
      await loadBatch(batch.filter((_, index) => !bad.has(index)));
      return;
    }
    await splitAndLoad(batch, loadBatch);
  };
  let sent = 0;
  for (const batch of batchesOf(records, odoo.config.batchSize)) {
    await loadBatch(batch);
    sent += batch.length;
    input.onProgress?.(report.unchanged + loadedBefore + sent);
  }
  return landed;
}

async function splitAndLoad(batch: DesiredRecord[], loadBatch: (b: DesiredRecord[]) => Promise<void>) {
  const middle = Math.ceil(batch.length / 2);
  await loadBatch(batch.slice(0, middle));
  await loadBatch(batch.slice(middle));
}

async function setMany2many(
  odoo: OdooClient,
  input: UpsertInput,
  records: DesiredRecord[],
  ids: Map<string, number>,
  report: UpsertReport,
) {
  const many2many = Object.keys(input.specs).filter((f) => input.specs[f]?.type === 'many2many');
  if (many2many.length === 0 || records.length === 0) return;
  const current = await readInBatches(
    odoo,
    input.model,
    records.map((r) => ids.get(r.xmlid) as number),
    many2many,
  );
  const groups = new Map<
    string,
    { field: string; value: number[]; ids: number[]; records: DesiredRecord[] }
  >();
  for (const record of records) {
    const id = ids.get(record.xmlid) as number;
    for (const field of many2many) {
      const want = record.values[field];
      if (!Array.isArray(want)) continue;
      const spec = input.specs[field] ?? { type: 'many2many' as const };
      if (JSON.stringify(normalise(spec, want)) === JSON.stringify(normalise(spec, current.get(id)?.[field])))
        continue;
      const key = `${field}:${JSON.stringify(normalise(spec, want))}`;
      const group = groups.get(key) ?? { field, value: want, ids: [], records: [] };
      group.ids.push(id);
      group.records.push(record);
      groups.set(key, group);
    }
  }
  for (const group of groups.values()) {
    const pairs = group.ids.map((id, index) => ({ id, record: group.records[index] as DesiredRecord }));
    for (const batch of batchesOf(pairs, odoo.config.batchSize)) {
      try {
        await odoo.write(
          input.model,
          batch.map((p) => p.id),
          { [group.field]: [[6, 0, group.value]] },
        );
      } catch (error) {
        if (!(error instanceof OdooError && error.kind === 'validation')) throw error;
        for (const { record } of batch) {
          fail(report, input.kind, record, `${group.field}: ${messageOf(error)}`);
        }
      }
    }
  }
}

function fail(report: UpsertReport, kind: string, record: DesiredRecord, error: string) {
  report.failed.push({ kind, record: record.label, error });
}
