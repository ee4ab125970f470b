/**
 * `rcp-odoo documents --period YYYY-MM --format upd-xml --out DIR [--attach] [--zip]`: the ЭДО files
 * (УПД, ФНС format 5.03, windows-1251) of the month's posted RCP invoices, one per invoice, in a
 * folder; `--attach` also attaches each to its invoice in Odoo, `--zip` gathers them in one zip.
 */
import { z } from 'zod';
import { table } from '../../mappings/text-table.ts';
import type { UpdDocumentsReport } from '../processes/upd-documents.ts';
import { EXIT, Period } from '../work/work.ts';
import type { CliCommand } from './command.ts';
import { withOdoo } from './open-deps.ts';

const FORMATS = ['upd-xml'] as const;

const DocumentsInput = z.object({
  period: Period,
  format: z.enum(FORMATS),
  out: z.string().min(1),
  attach: z.boolean(),
  zip: z.boolean(),
});

export const documents: CliCommand<z.infer<typeof DocumentsInput>, UpdDocumentsReport> = {
  name: 'documents',
  input: DocumentsInput,
  command: {
    words: ['documents'],
    description:
      'the ЭДО files of a month: the УПД (ФНС format 5.03) of each posted RCP invoice, in a folder',
    flags: {
      '--period': {
        key: 'period',
        value: 'YYYY-MM',
        help: 'the month whose posted invoices get their files',
        required: true,
      },
      '--format': {
        key: 'format',
        value: 'format',
        help: 'the kind of file',
        choices: FORMATS,
        required: true,
      },
      '--out': {
        key: 'out',
        value: 'dir',
        help: 'the folder the files are written to (made when missing)',
        required: true,
      },
      '--attach': { key: 'attach', help: 'also attach each file to its invoice in Odoo' },
      '--zip': { key: 'zip', help: 'also write all of them in one zip, UPD_<YYYY-MM>.zip' },
    },
    helpAfter: [
      'EDO_SELLER_ID (required): the company’s ЭДО participant id; the buyer’s is the field x_rcp_edo_id',
      'of its company, when Odoo has it. EDO_SELLER_VAT_PAYER=yes|no: УПД status 1 (счёт-фактура and',
      'передаточный документ) or 2 (передаточный only); unset, by whether the invoice has VAT.',
      'An invoice missing a requisite gets no file and is named with what to enter where (exit 1).',
      'Signing and sending through an ЭДО operator are not done here.',
    ],
    example: 'documents --period 2026-10 --format upd-xml --out ./upd',
  },
  run: async (ctx, input) => {
    const { updDocuments } = await import('../processes/upd-documents.ts');
    return withOdoo(ctx, (odoo, config) =>
      updDocuments(
        { odoo, config, log: ctx.log },
        { period: input.period, outDir: input.out, attach: input.attach, zip: input.zip },
      ),
    );
  },
  summary: describeDocuments,
  exit: (report) => (report.failed.length > 0 ? EXIT.someFailed : EXIT.done),
};

function describeDocuments(report: UpdDocumentsReport): string {
  const lines = [
    `УПД (format 5.03) for ${report.period}: ${report.files.length} file(s) of ${report.invoices} posted RCP invoice(s)`,
  ];
  if (report.files.length > 0)
    lines.push(
      table([
        ['invoice', 'status', 'file', 'attachment'],
        ...report.files.map((f) => [f.invoice, f.status, f.file, f.attachmentId ?? '']),
      ]),
    );
  if (report.zip) lines.push('', `All of them: ${report.zip}`);
  if (report.failed.length > 0) {
    lines.push('', `${report.failed.length} invoice(s) got no file (the others did):`);
    for (const f of report.failed) lines.push(`  ${f.record}: ${f.error}`);
  }
  return lines.join('\n');
}
