import { DEFAULT_IMPORT_CONSENT, IMPORT_MIN_SAMPLES, type ImportSummary } from '../services/bulk-import';

/** What `hadir import` and `hadir hub import` share: their defaults, the folder's description, the summary. */

export const DEFAULT_CONSENT = DEFAULT_IMPORT_CONSENT;

/** The options both import commands take, for parseCommand/parse. */
export const IMPORT_OPTIONS = {
  csv: { type: 'string' },
  consent: { type: 'string' },
  'min-samples': { type: 'string' },
  'retry-rejected': { type: 'boolean' },
  'allow-duplicates': { type: 'boolean' },
  json: { type: 'boolean' },
  pack: { type: 'string' },
} as const;

export const IMPORT_FOLDER_HELP = `  <folder>/<employee number>/*.jpg        one sub-folder per person, its photos the samples
  <folder>/<employee number>[_<n>].jpg    or photos named by employee number
  --csv map.csv                           or a CSV with a header row and the columns
                                          file,employee_number,name,unit (file: a photo or sub-folder)
Each photo must show exactly one face that passes the quality checks; a person needs --min-samples
good photos (default ${IMPORT_MIN_SAMPLES}) that agree with each other, and must not already be enrolled
under another number (unless --allow-duplicates).`;

export const IMPORT_RESUME_HELP = `The run is resumable: each person is written in one transaction together with its progress record, so a
re-run (after an interruption, or with more photos) skips everyone done and never enrolls anyone twice.
People an earlier run rejected are tried again only with --retry-rejected.
--consent says how the people gave consent to biometric processing (default "${DEFAULT_CONSENT}").
Prints a summary (enrolled, skipped, rejected with reasons); --json prints it as one JSON object.`;

export function summaryText(s: ImportSummary): string {
  const lines = [
    `${s.total} in the folder: ${s.enrolled} enrolled, ${s.skipped} already enrolled, ${s.doneBefore} done by an earlier run, ` +
      `${s.rejected.length} rejected, ${s.failed.length} failed`,
  ];
  for (const r of s.rejected) lines.push(`  rejected ${r.employeeNumber}: ${r.reason}`);
  for (const f of s.failed) lines.push(`  failed ${f.key}: ${f.error}`);
  return lines.join('\n');
}

/** 0 nobody rejected or failed, 1 some were. */
export const summaryExitCode = (s: ImportSummary) => (s.rejected.length > 0 || s.failed.length > 0 ? 1 : 0);
