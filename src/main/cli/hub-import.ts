import { HadirError } from '../../shared/errors';
import { openPipeline } from '../engine/open-pipeline';
import type { FacePipeline } from '../engine/pipeline';
import { hubSettingsFromEnv } from '../hub/face-api';
import { HubGallery } from '../hub/gallery';
import { HubImportProgress, HubImportTarget, importSampleLoader } from '../hub/import';
import { ChangeNotifier } from '../hub/notifier';
import { requireSite } from '../hub/sites';
import { openHubDataKey } from '../hub/store/data-key';
import { openHubPool } from '../hub/store/db';
import { pipelineAnalyzer } from '../services/analyzer';
import { planImport, runImport } from '../services/bulk-import';
import { hubKeyring } from '../store/data-key-file';
import { UsageError, parse, progress } from './args';
import { cliActor, hubDatabaseUrl, runSubcommand } from './hub-env';
import {
  DEFAULT_CONSENT,
  IMPORT_FOLDER_HELP,
  IMPORT_OPTIONS,
  IMPORT_RESUME_HELP,
  summaryExitCode,
  summaryText,
} from './import-report';

export const HUB_IMPORT_HELP = `usage: hadir hub import --site CODE <folder> [--csv map.csv] [--consent TEXT] [--min-samples N]
                        [--retry-rejected] [--allow-duplicates] [--json] [--pack ID]

Enrolls the people in a folder of photos at the hub, with CODE as their home site; the site's kiosks
receive them (and their templates) at their next sync. The folder is read as by \`hadir import\`:
${IMPORT_FOLDER_HELP}
The duplicate check searches the whole organisation (every site), people enrolled earlier in the same
run included. Someone already at the hub without templates gets them; someone with templates is skipped.

${IMPORT_RESUME_HELP}
Needs HADIR_HUB_DATABASE_URL (migrated: \`hadir hub migrate\`), the hub data key (HADIR_HUB_DATA_KEY or
HADIR_HUB_DATA_KEY_FILE) and the models (HADIR_MODELS_DIR, --pack: the kiosks' pack, default the manifest's).
Exit code: 0 nobody rejected or failed, 1 some were, 2 bad usage or no such site, 3 the data key is
missing or wrong.`;

/** `hadir hub import`: `hadir import`'s procedure (services/bulk-import.ts) into the hub's PostgreSQL. */
export async function hubImport(argv: string[]): Promise<number> {
  return runSubcommand('import', HUB_IMPORT_HELP, async () => {
    const { values, positionals } = parse(argv, { ...IMPORT_OPTIONS, site: { type: 'string' } });
    if (!values.site) throw new UsageError('give the home site of the people imported: --site CODE');
    if (positionals.length !== 1) throw new UsageError('give exactly one folder');
    if (values['min-samples'] !== undefined && !/^[1-9]\d*$/.test(values['min-samples'])) {
      throw new UsageError('--min-samples must be a whole number ≥ 1');
    }
    const url = hubDatabaseUrl();
    const keyring = hubKeyring(process.env);
    const plan = planImport(positionals[0], { csv: values.csv });
    for (const p of plan.problems) process.stderr.write(`hadir hub import: warning: ${p}\n`);

    const pool = openHubPool(url, { max: 3, applicationName: 'hadir-hub-import' });
    let pipeline: FacePipeline | null = null;
    let notifier: ChangeNotifier | null = null;
    let gallery: HubGallery | null = null;
    const controller = new AbortController();
    // Ctrl-C: finish the person in hand, then stop; the next run carries on from there.
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      // The site before the engine: a mistyped code is told at once.
      try {
        await requireSite(pool, values.site);
      } catch (e) {
        if (!(e instanceof HadirError) || e.code !== 'NOT_FOUND') throw e;
        process.stderr.write(`hadir hub import: ${e.message}\n`);
        return 2;
      }
      await openHubDataKey(pool, keyring);
      pipeline = await openPipeline(values.pack);
      notifier = new ChangeNotifier(url);
      await notifier.start();
      gallery = new HubGallery(pool, notifier, pipeline.pack, hubSettingsFromEnv(process.env, pipeline.pack.id), {
        onError: (e) => process.stderr.write(`hadir hub import: gallery: ${(e as Error).message ?? String(e)}\n`),
      });
      gallery.start();
      const target = await HubImportTarget.open(pool, gallery, { site: values.site, pack: pipeline.pack });
      const analyzer = pipelineAnalyzer(pipeline);
      const bar = progress(plan.items.length, 'import');
      const summary = await runImport(
        plan.items,
        {
          target,
          imports: new HubImportProgress(pool),
          loadSample: importSampleLoader(analyzer),
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
      await gallery?.close();
      await notifier?.close();
      await pipeline?.dispose();
      await pool.end().catch(() => {});
    }
  });
}
