import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { acceptLicense, licenseAccepted, licenseSummary } from '../engine/license-acceptance';
import { getPack, loadManifest, type ModelPack } from '../engine/manifest';
import { fetchPack, type FetchProgress } from '../engine/model-fetch';
import { checkPackFiles, modelSearchDirs, type FileStatus } from '../engine/model-files';
import { importModels } from '../engine/model-import';
import type { InstallCheck, InstalledFile } from '../engine/model-install';
import { pinsPath } from '../engine/model-pins';
import { parse as parseWith, UsageError } from './args';

/** `hadir models`: list, import, fetch model packs and accept their licences. Exit codes: 0 ok, 1 failure, 2 usage. */

const HELP: Record<string, string> = {
  models: `usage: hadir models [list] [--json]
       hadir models import <folder|file.zip> [--pack ID]
       hadir models fetch <pack> [--url URL] [--dest DIR]
       hadir models accept-license <pack>

Model files are looked up in HADIR_MODELS_DIR, the app's models folder, then <data dir>/models
(each also in a <pack id>/ subfolder) and verified by SHA-256 before use.
Run "hadir models <subcommand> --help" for details.`,
  list: `usage: hadir models [list] [--json]

Lists every pack of the manifest with the state of each file:
  verified   SHA-256 matches the manifest
  pinned     no published hash; matches the hash pinned on first download/import
  unpinned   no published hash yet; pinned on first use
  mismatch   wrong SHA-256: the file is corrupt or a different model
  missing    in none of the folders searched

  --json   machine-readable output`,
  import: `usage: hadir models import <folder|file.zip> [--pack ID]

Copies the model files found in a folder (and its direct subfolders) or a zip into
<data dir>/models, matched by file name and verified by SHA-256 where one is known.
Files with no published hash are pinned: their hash is recorded in pins.json and enforced from then on.
Nothing is installed if any file fails its check.

  --pack ID   import only this pack's files`,
  fetch: `usage: hadir models fetch <pack> [--url URL] [--dest DIR]

Downloads a pack's zip, verifies it (or pins its hash on the first download), unpacks the pack's
files, verifies them and installs them into <data dir>/models/<pack>/.
Offline sites: download the zip elsewhere and use "hadir models import <zip> --pack <pack>".

  --url URL    download from this address instead of the manifest's (a mirror)
  --dest DIR   install into DIR instead`,
  'accept-license': `usage: hadir models accept-license <pack>

Shows the pack's licence and records that it was accepted (the app asks before a pack's first use).`,
};

/** Every subcommand takes --help (-h) besides its own options. */
function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  return parseWith(argv, { ...options, help: { type: 'boolean', short: 'h' } } as const);
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}, got ${positionals.length}`);
  return positionals[0]!;
}

export async function models(argv: string[]): Promise<number> {
  const known = ['list', 'import', 'fetch', 'accept-license'];
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return help('models');
  const sub = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'list';
  const rest = argv[0] === sub ? argv.slice(1) : argv;
  if (!known.includes(sub)) {
    process.stderr.write(`hadir models: unknown subcommand "${sub}"\n\n${HELP.models}\n`);
    return 2;
  }
  try {
    switch (sub) {
      case 'list':
        return await listCommand(rest);
      case 'import':
        return await importCommand(rest);
      case 'fetch':
        return await fetchCommand(rest);
      default:
        return await acceptCommand(rest);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`hadir models ${sub}: ${e.message}\n\n${HELP[sub]}\n`);
    return 2;
  }
}

function help(sub: string): number {
  process.stdout.write(`${HELP[sub]}\n`);
  return 0;
}

const STATE_NOTE: Record<FileStatus['state'], string> = {
  verified: 'verified',
  pinned: 'verified (pinned hash)',
  unpinned: 'present (no known hash: pinned on first use)',
  present: 'present',
  mismatch: 'CHECKSUM MISMATCH',
  missing: 'missing',
};

/** What `resolvePack` would accept: required files present, and no file (liveness included) with a wrong hash. */
const isReady = (files: FileStatus[]) =>
  files.every((f) => f.state !== 'mismatch' && (f.optional || f.state !== 'missing'));

async function listCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return help('list');
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const manifest = loadManifest();
  const dirs = modelSearchDirs();
  const packs = await Promise.all(
    manifest.packs.map(async (pack) => {
      const files = await checkPackFiles(pack, { dirs });
      const accepted = await licenseAccepted(pack.id, pack.license.id);
      return { pack, files, accepted, ready: isReady(files) };
    }),
  );

  if (values.json) {
    const out = {
      searchDirs: dirs,
      pins: pinsPath(),
      defaultPack: manifest.defaultPack,
      packs: packs.map(({ pack, files, accepted, ready }) => ({
        id: pack.id,
        name: pack.name,
        default: pack.id === manifest.defaultPack,
        source: pack.source,
        url: pack.url ?? null,
        license: { ...pack.license, accepted },
        ready,
        files: files.map((f) => ({
          role: f.role,
          file: f.file,
          optional: f.optional,
          state: f.state,
          path: f.path,
          sha256: f.actual,
          expectedSha256: f.expected?.sha256 ?? null,
          expectedFrom: f.expected?.from ?? null,
        })),
      })),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }

  const lines = ['Model folders searched, in order (each also in a <pack id>/ subfolder):'];
  dirs.forEach(({ dir, label }, i) => lines.push(`  ${i + 1}. ${dir}  (${label})`));
  for (const { pack, files, accepted, ready } of packs) {
    const tag = pack.id === manifest.defaultPack ? ' (default)' : '';
    lines.push('', `${pack.id}${tag}: ${pack.name}`);
    lines.push(
      `  licence ${pack.license.id} (${accepted ? 'accepted' : 'not accepted'}), source ${pack.source}` +
        (pack.url ? ` ${pack.url}` : ''),
    );
    const width = Math.max(...files.map((f) => f.file.length));
    for (const f of files) {
      const note = STATE_NOTE[f.state] + (f.optional && f.state === 'missing' ? ' (optional)' : '');
      lines.push(`  ${f.role.padEnd(10)} ${f.file.padEnd(width)}  ${note}${f.path ? `  ${f.path}` : ''}`);
    }
    const problems = files.filter((f) => f.state === 'mismatch' || (!f.optional && f.state === 'missing'));
    const fix = pack.source === 'download' ? `hadir models fetch ${pack.id}` : 'hadir models import <folder|zip>';
    lines.push(
      ready ? '  ready' : `  not ready: ${problems.map((f) => `${f.file} ${f.state}`).join(', ')} (try: ${fix})`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

const CHECK_NOTE: Record<InstallCheck, string> = {
  verified: 'verified (SHA-256 matches the manifest)',
  pinned: 'verified (matches the hash pinned earlier)',
  'newly-pinned': 'pinned now: no published hash, so this SHA-256 is recorded and enforced from now on',
};

function installedLines(files: InstalledFile[]): string[] {
  const width = Math.max(...files.map((f) => f.file.length));
  return files.map((f) => `  ${f.file.padEnd(width)}  ${CHECK_NOTE[f.check]}  ${f.sha256}`);
}

async function licenceLines(pack: ModelPack): Promise<string[]> {
  const lines = ['', licenseSummary(pack)];
  if (!(await licenseAccepted(pack.id, pack.license.id))) {
    lines.push(
      `  Not accepted yet: read it, then run \`hadir models accept-license ${pack.id}\` (the app also asks before first use).`,
    );
  }
  return lines;
}

async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { pack: { type: 'string' } });
  if (values.help) return help('import');
  const source = onePositional(positionals, 'folder or zip file');
  const report = await importModels(source, { packId: values.pack as string | undefined });

  const lines = [`Imported ${report.files.length} file(s) from ${report.source} into ${report.dest}:`];
  lines.push(...installedLines(report.files));
  if (report.files.some((f) => f.check === 'newly-pinned')) lines.push(`Pins are kept in ${pinsPath()}.`);
  const complete = report.packs.filter((p) => p.complete);
  const incomplete = report.packs.filter((p) => !p.complete);
  if (complete.length > 0) lines.push('', `Packs now complete: ${complete.map((p) => p.pack.id).join(', ')}`);
  if (incomplete.length > 0) lines.push(`Packs still missing files: ${incomplete.map((p) => p.pack.id).join(', ')}`);
  const shown = values.pack ? report.packs.map((p) => p.pack) : complete.map((p) => p.pack);
  for (const pack of shown) lines.push(...(await licenceLines(pack)));
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

function formatBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(0)} kB`;
}

/** A redrawn bar on a terminal; on a pipe or log file nothing until one final line, so logs stay readable. */
function progressReporter(stream: NodeJS.WriteStream) {
  let drawn = false;
  let lastDraw = 0;
  return {
    onProgress: stream.isTTY
      ? ({ received, total }: FetchProgress) => {
          const now = Date.now();
          if (now - lastDraw < 100 && received !== total) return;
          lastDraw = now;
          drawn = true;
          if (total) {
            const width = 30;
            const filled = Math.floor((received / total) * width);
            const pct = Math.floor((received / total) * 100);
            stream.write(
              `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}%  ${formatBytes(received)} / ${formatBytes(total)}`,
            );
          } else {
            stream.write(`\r${formatBytes(received)} received`);
          }
        }
      : undefined,
    /** Ends the bar's line (also on failure, so the error message starts on a fresh line). */
    finish(summary?: string) {
      if (drawn) stream.write('\n');
      if (summary) stream.write(summary + '\n');
    },
  };
}

async function fetchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { url: { type: 'string' }, dest: { type: 'string' } });
  if (values.help) return help('fetch');
  const pack = getPack(onePositional(positionals, 'pack id'), loadManifest());
  const progress = progressReporter(process.stderr);
  let report;
  try {
    report = await fetchPack(pack, {
      url: values.url as string | undefined,
      dest: values.dest as string | undefined,
      onProgress: progress.onProgress,
    });
  } catch (e) {
    progress.finish();
    throw e;
  }
  progress.finish(`downloaded ${formatBytes(report.archive.bytes)} from ${report.url}`);

  const lines = [`Archive SHA-256 ${report.archive.sha256}: ${CHECK_NOTE[report.archive.check]}`];
  lines.push(`Installed pack ${pack.id} into ${report.dest}:`, ...installedLines(report.files));
  if ([report.archive, ...report.files].some((f) => f.check === 'newly-pinned')) {
    lines.push(`Pins are kept in ${pinsPath()}.`);
  }
  const searched = modelSearchDirs().some(({ dir }) => report.dest === dir || report.dest === path.join(dir, pack.id));
  if (!searched) {
    const hint = path.basename(report.dest) === pack.id ? path.dirname(report.dest) : report.dest;
    lines.push(`Note: ${report.dest} is not searched by default; set HADIR_MODELS_DIR=${hint} to use it.`);
  }
  lines.push(...(await licenceLines(pack)));
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function acceptCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {});
  if (values.help) return help('accept-license');
  const pack = getPack(onePositional(positionals, 'pack id'), loadManifest());
  await acceptLicense(pack.id, pack.license.id);
  process.stdout.write(`${licenseSummary(pack)}\nAccepted for pack ${pack.id}.\n`);
  return 0;
}
