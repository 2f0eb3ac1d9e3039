import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { IMPORT_MIN_SAMPLES, planImport, runImport, type ImportSummary } from '../services/bulk-import';
import { ImportRepo } from '../store/import-repo';
import { decodeImage } from '../vision/decode';
import type { Command } from './index';
import { UsageError, parseCommand, progress } from './args';
import { cliActor, openFaceService } from './store';

const DEFAULT_CONSENT = 'bulk import: consent held in the organisation records';

const HELP = `usage: hadir import <folder> [--csv map.csv] [--consent TEXT] [--min-samples N]
                    [--retry-rejected] [--allow-duplicates] [--json] [--pack ID]

Enrolls the people in a folder of photos into the data folder's database:
  <folder>/<employee number>/*.jpg        one sub-folder per person, its photos the samples
  <folder>/<employee number>[_<n>].jpg    or photos named by employee number
  --csv map.csv                           or a CSV with a header row and the columns
                                          file,employee_number,name,unit (file: a photo or sub-folder)
Each photo must show exactly one face that passes the quality checks; a person needs --min-samples
good photos (default ${IMPORT_MIN_SAMPLES}) that agree with each other, and must not already be enrolled
under another number (unless --allow-duplicates).

The run is resumable: each person is written in one transaction together with its progress record, so a
re-run (after an interruption, or with more photos) skips everyone done and never enrolls anyone twice.
People an earlier run rejected are tried again only with --retry-rejected.
--consent says how the people gave consent to biometric processing (default "${DEFAULT_CONSENT}").
Prints a summary (enrolled, skipped, rejected with reasons); --json prints it as one JSON object.
Exit code: 0 nobody rejected or failed, 1 some were, 2 bad usage.`;

export const importCommand: Command = async (argv) => {
  const parsed = parseCommand(
    'import',
    HELP,
    argv,
    {
      csv: { type: 'string' },
      consent: { type: 'string' },
      'min-samples': { type: 'string' },
      'retry-rejected': { type: 'boolean' },
      'allow-duplicates': { type: 'boolean' },
      json: { type: 'boolean' },
      pack: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    ({ values, positionals }) => {
      if (positionals.length !== 1) throw new UsageError('give exactly one folder');
      if (values['min-samples'] !== undefined && !/^[1-9]\d*$/.test(values['min-samples'])) {
        throw new UsageError('--min-samples must be a whole number ≥ 1');
      }
    },
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const plan = planImport(positionals[0], { csv: values.csv });
  for (const p of plan.problems) process.stderr.write(`hadir import: warning: ${p}\n`);
  const { db, service, close } = await openFaceService({ packId: values.pack });
  const controller = new AbortController();
  // Ctrl-C: finish the person in hand, then stop; the next run carries on from there.
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const bar = progress(plan.items.length, 'import');
    const summary = await runImport(
      plan.items,
      {
        target: service,
        imports: new ImportRepo(db),
        loadSample: async (file) =>
          service.prepareSample(await decodeImage(await readFile(file)), {
            source: 'import',
            label: path.basename(file),
          }),
      },
      {
        actor: cliActor(),
        consentMethod: values.consent ?? DEFAULT_CONSENT,
        retryRejected: values['retry-rejected'],
        allowDuplicates: values['allow-duplicates'],
        policy: values['min-samples'] ? { minSamples: Number(values['min-samples']) } : undefined,
        signal: controller.signal,
        onItem: () => bar.tick(),
      },
    );
    bar.done();
    process.stdout.write((values.json ? JSON.stringify(summary) : summaryText(summary)) + '\n');
    return summary.rejected.length > 0 || summary.failed.length > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    await close();
  }
};

function summaryText(s: ImportSummary): string {
  const lines = [
    `${s.total} in the folder: ${s.enrolled} enrolled, ${s.skipped} already enrolled, ${s.doneBefore} done by an earlier run, ` +
      `${s.rejected.length} rejected, ${s.failed.length} failed`,
  ];
  for (const r of s.rejected) lines.push(`  rejected ${r.employeeNumber}: ${r.reason}`);
  for (const f of s.failed) lines.push(`  failed ${f.key}: ${f.error}`);
  return lines.join('\n');
}
