/**
 * `rcp-odoo documents --period YYYY-MM --format upd-xml --out DIR [--attach] [--zip]`: the ЭДО files
 * (УПД, ФНС format 5.03, windows-1251) of the month's posted RCP invoices, one per invoice, in a
 * folder; `--attach` also attaches each to its invoice in Odoo, `--zip` gathers them in one zip.
 * Registered on the program by `addDocumentsCommand`; the work is loaded when the command runs.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { isPeriod } from '../../mappings/period.ts';
import { table } from '../../mappings/text-table.ts';
import type { UpdDocumentsReport } from '../processes/upd-documents.ts';
import { type CommandContext, EXIT } from './context.ts';

type Run = (json: boolean, action: (ctx: CommandContext) => Promise<number>) => Promise<void>;

export function addDocumentsCommand(program: Command, run: Run): void {
  program
    .command('documents')
    .description(
      'the ЭДО files of a month: the УПД (ФНС format 5.03) of each posted RCP invoice, in a folder',
    )
    .addOption(new Option('--json', 'machine-readable summary on stdout'))
    .requiredOption(
      '--period <YYYY-MM>',
      'the month whose posted invoices get their files',
      (value: string) => {
        if (!isPeriod(value))
          throw new InvalidArgumentError('a month YYYY-MM is expected, e.g. --period 2026-10');
        return value;
      },
    )
    .addOption(new Option('--format <format>', 'the kind of file').choices(['upd-xml']).makeOptionMandatory())
    .requiredOption('--out <dir>', 'the folder the files are written to (made when missing)')
    .option('--attach', 'also attach each file to its invoice in Odoo')
    .option('--zip', 'also write all of them in one zip, UPD_<YYYY-MM>.zip')
    .addHelpText(
      'after',
      [
        '',
        'EDO_SELLER_ID (required): the company’s ЭДО participant id; the buyer’s is the field x_rcp_edo_id',
        'of its company, when Odoo has it. EDO_SELLER_VAT_PAYER=yes|no: УПД status 1 (счёт-фактура and',
        'передаточный документ) or 2 (передаточный only); unset, by whether the invoice has VAT.',
        'An invoice missing a requisite gets no file and is named with what to enter where (exit 1).',
        'Signing and sending through an ЭДО operator are not done here.',
      ].join('\n'),
    )
    .action(
      async (
        o: { period: string; out: string; attach?: boolean; zip?: boolean; json?: boolean },
        cmd: Command,
      ) =>
        run(Boolean(cmd.optsWithGlobals().json), async (ctx) => {
          const { OdooClient } = await import('../odoo/client.ts');
          const { updDocuments } = await import('../processes/upd-documents.ts');
          const config = ctx.config(['odoo']);
          const odoo = await OdooClient.connect(config.odoo, { log: ctx.log });
          try {
            const report = await updDocuments(
              { odoo, config, log: ctx.log },
              { period: o.period, outDir: o.out, attach: Boolean(o.attach), zip: Boolean(o.zip) },
            );
            ctx.out.result(report, describeDocuments(report));
            return report.failed.length > 0 ? EXIT.someFailed : EXIT.done;
          } finally {
            await odoo.close();
          }
        }),
    );
}

export function describeDocuments(report: UpdDocumentsReport): string {
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
