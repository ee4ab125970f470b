import { hostname } from 'node:os';
import { invoiceClaimKey, toInvoiceHeader, toInvoiceLineValues } from '../../mappings/invoice-values.ts';
import { batchesOf } from '../batches.ts';
import type { FailedRecord, ProcessDeps } from '../deps.ts';
import { claimKeys, describeHolder, releaseKeys } from '../workspace/claims.ts';
import type { InvoiceDraft, InvoiceResult } from './invoice-types.ts';
import type { OdooRefs } from './odoo-refs.ts';
import { annotateInvoices } from './write-invoices/annotate.ts';
import { otherWayChanges, settingChanges } from './write-invoices/changes.ts';
import {
  type DesiredInvoice,
  decideInvoices,
  readCurrentInvoices,
  readMoves,
} from './write-invoices/decide.ts';
import { type WriteOutcomes, reportFailure } from './write-invoices/outcomes.ts';
import { writeUsageRecords } from './write-invoices/usage.ts';
import { totalField, verifyTotals } from './write-invoices/verify.ts';
import { replaceEach, writeDecidedInvoices } from './write-invoices/write.ts';

interface WriteOptions {
  period: string;
  dryRun: boolean;
  /** Rewrite drafts an accountant changed in Odoo since the connector wrote them. */
  force: boolean;
  /** Setup made the RCP workspace: claim the invoices in Odoo, write usage records. */
  workspace: boolean;
  refs: OdooRefs;
}

/** A claim renewed by the holder's heartbeat was taken over meanwhile: this run must stop writing. */
class ClaimLostError extends Error {}

/**
 * Writes the drafts, in five phases (one file each under `write-invoices/`):
 * - map: each draft's header and line values (`mappings/invoice-values.ts`);
 * - decide: against what Odoo holds — create, rewrite a draft that differs or whose total is not
 *   RCP's, leave posted and cancelled invoices alone, and drafts an accountant edited (unless forced);
 * - write: new headers through `load()` (one call for many), then lines; a draft's rewrite is one
 *   `write` (header and lines together), so what Odoo refuses leaves the old draft intact;
 * - verify: every written invoice read back and its amount compared with the connector's, to the kopeck;
 * - annotate: one chatter note per invoice (updated), the usage detail CSV with the connector's mark.
 *
 * With the workspace, each counterparty's invoice of the period is claimed in Odoo first, with its
 * holder (`deps.holder`: run, queue job, worker; host and pid) and a lease of CLAIM_LEASE_SECONDS
 * that a heartbeat renews while this run works. A claim another live run holds leaves that invoice
 * to it, reported busy (a queued job is tried again later); one whose holder stopped is taken over.
 */
export async function writeInvoices(
  deps: ProcessDeps,
  drafts: readonly InvoiceDraft[],
  options: WriteOptions,
): Promise<WriteOutcomes> {
  const out: WriteOutcomes = { results: [], failed: [], changes: [] };
  if (drafts.length === 0) return out;
  if (options.dryRun || !options.workspace) return writeClaimed(deps, drafts, options, out, undefined);
  // One run per counterparty and period at a time, decided in Odoo: the others are left to their run.
  const owner = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  const holder = { host: hostname(), pid: process.pid, worker: 'cli', ...deps.holder };
  const lease = deps.config.invoicing.claimLeaseSeconds;
  const keyOf = (d: InvoiceDraft) =>
    invoiceClaimKey(options.period, d.counterparty.kind, d.counterparty.uuid);
  const claimed = new Set<string>();
  const lost = new Set<string>();
  // One beat at a time: a tick while the last beat is still unanswered (Odoo slow) is skipped, so
  // that late beats never pile up on the client's few connections ahead of the run's own calls.
  let beating: Promise<unknown> | undefined;
  const heartbeat = setInterval(
    () => {
      if (beating) return;
      beating = (async () => {
        for (const batch of batchesOf([...claimed], deps.odoo.config.batchSize)) {
          const answer = await claimKeys(deps.odoo, batch, owner, lease, { holder, renew: true });
          for (const key of answer.lost) lost.add(key);
        }
      })()
        .catch((error: unknown) =>
          deps.log.warn({ problem: String(error) }, 'could not renew the invoice claims (heartbeat)'),
        )
        .finally(() => {
          beating = undefined;
        });
    },
    Math.max(1000, Math.floor((lease * 1000) / 3)),
  );
  heartbeat.unref?.();
  const stillHeld: Claims = {
    check() {
      if (lost.size > 0) throw new ClaimLostError([...lost].join(', '));
    },
    holds: (draft) => !lost.has(keyOf(draft)),
  };
  try {
    for (const batch of batchesOf(drafts, deps.odoo.config.batchSize)) {
      const answer = await claimKeys(deps.odoo, batch.map(keyOf), owner, lease, { holder });
      for (const key of answer.claimed) claimed.add(key);
      for (const taken of answer.taken_over) {
        deps.log.info(
          { claim: taken.key, from: taken.owner, why: taken.why },
          taken.why === 'job'
            ? 'took over the claim of this job’s first worker (it stopped)'
            : 'took over a claim whose holder stopped (no heartbeat)',
        );
      }
      for (const refusal of answer.refused) {
        const draft = batch.find((d) => keyOf(d) === refusal.key);
        if (!draft) continue;
        reportBusy(
          out,
          draft,
          `another run is writing this invoice now (${describeHolder(refusal)}): left to it`,
        );
      }
    }
    try {
      return await writeClaimed(
        deps,
        drafts.filter((d) => claimed.has(keyOf(d))),
        options,
        out,
        stillHeld,
      );
    } catch (error) {
      if (!(error instanceof ClaimLostError)) throw error;
      // Taken over while this run was slow (its heartbeat late): what is left is the new holder's.
      for (const draft of drafts.filter((d) => lost.has(keyOf(d)))) {
        if (out.results.some((r) => r.uuid === draft.counterparty.uuid)) continue;
        reportBusy(out, draft, 'another run took this invoice over while this one was slow: left to it');
      }
      return out;
    }
  } finally {
    clearInterval(heartbeat);
    await beating;
    const mine = [...claimed].filter((k) => !lost.has(k));
    for (const batch of batchesOf(mine, deps.odoo.config.batchSize)) {
      await releaseKeys(deps.odoo, batch, owner).catch((error: unknown) =>
        deps.log.warn(
          { problem: String(error) },
          'could not give back the invoice claims: they expire by themselves',
        ),
      );
    }
  }
}

/** The invoice claims of one run: `check` throws once any was lost; `holds` says whose is still this run's. */
interface Claims {
  check(): void;
  holds(draft: InvoiceDraft): boolean;
}

function reportBusy(out: WriteOutcomes, draft: InvoiceDraft, error: string): void {
  reportFailure(out, draft, error);
  out.busy ??= [];
  out.busy.push(draft.counterparty.uuid);
}

async function writeClaimed(
  deps: ProcessDeps,
  drafts: readonly InvoiceDraft[],
  options: WriteOptions,
  out: WriteOutcomes,
  /** The claims of this run (with the workspace); undefined when nothing is claimed. */
  stillHeld: Claims | undefined,
): Promise<WriteOutcomes> {
  const claimed = stillHeld !== undefined;
  if (drafts.length === 0) return out;
  const taxIds = [...deps.config.invoicing.taxIds].sort((a, b) => a - b);
  const desired = mapInvoices(deps, drafts, options, taxIds);

  const total = await totalField(deps, taxIds);
  const current = await readCurrentInvoices(deps, drafts, options.workspace && !options.dryRun);
  const decisions = decideInvoices(desired, current, {
    taxIds,
    journalId: deps.config.invoicing.journalId,
    totalField: total,
    dryRun: options.dryRun,
    force: options.force,
  });
  out.results.push(...decisions.results);
  out.failed.push(...decisions.failed);
  // Drafts of the same usage made the other way (RCP_OWN_PARTNER_IDS changed): named, left alone.
  out.changes.push(...(await otherWayChanges(deps, options.period, drafts)));
  if (options.dryRun) {
    out.changes.push(...(await settingChanges(deps, decisions.settings)));
    return out;
  }

  stillHeld?.check();
  const guarded = options.workspace ? { force: options.force } : undefined;
  const written = await writeDecidedInvoices(deps, decisions, out, guarded);
  // What a setting changed on the drafts rewritten (the ones Odoo accepted).
  const rewritten = new Set(written.filter((w) => w.outcome === 'updated').map((w) => w.id));
  out.changes.push(
    ...(await settingChanges(
      deps,
      decisions.settings.filter((s) => rewritten.has(s.moveId)),
    )),
  );
  const unchanged = options.workspace ? decisions.unchanged : [];
  const readBack = () =>
    readMoves(
      deps.odoo,
      [...written, ...decisions.toMark, ...unchanged].map((w) => w.id),
    );
  let held = await readBack();
  if (!claimed) {
    // Without claims two runs may both have added lines to a new invoice (load() of a header the
    // other run just made updates it): the run whose lines landed last sees both sets here, and
    // replaces them with its own in one write. With claims no other run writes these invoices.
    const lineCount = new Map(desired.map((d) => [d.draft, d.lines.length]));
    const doubled = written.filter((w) => held.linesOf(w.id).length !== lineCount.get(w.draft));
    if (doubled.length > 0) {
      const byDraft = new Map(desired.map((d) => [d.draft, d]));
      const jobs = doubled.map((w) => ({ invoice: byDraft.get(w.draft) as DesiredInvoice, id: w.id }));
      const rewritten = new Set((await replaceEach(deps, jobs, out, 'created', guarded)).map((w) => w.id));
      for (const w of doubled) if (!rewritten.has(w.id)) written.splice(written.indexOf(w), 1);
      held = await readBack();
    }
  }
  // An invoice whose claim another run took over while this one wrote (its heartbeat late) is
  // that run's to verify, annotate and give its usage records: both would replace the same
  // records, and what it holds now is the other run's write, not this one's.
  const mine = <T extends { draft: InvoiceDraft }>(list: readonly T[]) =>
    stillHeld ? list.filter((x) => stillHeld.holds(x.draft)) : [...list];
  const ours = mine(written);
  for (const w of written) {
    if (stillHeld && !stillHeld.holds(w.draft))
      reportBusy(out, w.draft, 'another run took this invoice over while this one was slow: left to it');
  }
  const verified = verifyTotals(ours, held.move, total, out);
  const toMark = mine(decisions.toMark);
  await annotateInvoices(deps, held, [...ours, ...toMark], [...verified, ...toMark], options.period, {
    workspace: options.workspace,
    editedBefore: decisions.editedBefore,
  });
  if (options.workspace) await writeUsageRecords(deps, held.move, verified, mine(unchanged), options.period);
  return out;
}

function mapInvoices(
  deps: ProcessDeps,
  drafts: readonly InvoiceDraft[],
  options: WriteOptions,
  taxIds: readonly number[],
): DesiredInvoice[] {
  const rules = {
    invoiceDate: deps.config.invoicing.invoiceDate,
    paymentTermPrepay: options.refs.paymentTermPrepay,
    paymentTermPostpay: options.refs.paymentTermPostpay,
  };
  return drafts.map((draft) => ({
    draft,
    header: toInvoiceHeader(options.period, draft.counterparty, draft.partnerId, rules),
    lines: toInvoiceLineValues(draft.plan, draft.productIds, taxIds),
  }));
}
