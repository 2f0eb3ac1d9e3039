import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { planImport, runImport } from '../services/bulk-import';
import { ImportRepo } from '../store/import-repo';
import { decodeImage } from '../vision/decode';
import type { Command } from './index';
import { UsageError, parseCommand, progress } from './args';
import {
  DEFAULT_CONSENT,
  IMPORT_FOLDER_HELP,
  IMPORT_OPTIONS,
  IMPORT_RESUME_HELP,
  summaryExitCode,
  summaryText,
} from './import-report';
import { cliActor, openFaceService } from './store';

const HELP = `usage: hadir import <folder> [--csv map.csv] [--consent TEXT] [--min-samples N]
                    [--retry-rejected] [--allow-duplicates] [--json] [--pack ID]

Enrolls the people in a folder of photos into the data folder's database:
${IMPORT_FOLDER_HELP}

${IMPORT_RESUME_HELP}
Exit code: 0 nobody rejected or failed, 1 some were, 2 bad usage.`;

export const importCommand: Command = async (argv) => {
  const parsed = parseCommand(
    'import',
    HELP,
    argv,
    { ...IMPORT_OPTIONS, help: { type: 'boolean', short: 'h' } },
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
    return summaryExitCode(summary);
  } finally {
    process.off('SIGINT', onSigint);
    await close();
  }
};
