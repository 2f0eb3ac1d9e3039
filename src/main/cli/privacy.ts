import { renameSync, writeFileSync } from 'node:fs';
import { HadirError } from '../../shared/errors';
import { PrivacyService } from '../services/privacy';
import { defaultDbFile, openDb } from '../store/db';
import { PeopleRepo } from '../store/people-repo';
import type { Command } from './index';
import { UsageError, parse } from './args';
import { cliActor } from './store';

const PURGE_HELP = `usage: hadir purge [--json]

Deletes what has outlived the retention settings (default: attendance and leave after 730 days, audit
entries after 1095 days, kept face thumbnails after 365 days), overwriting the bytes (secure_delete),
and records the purge in the audit log. Backups still hold purged data: prune them on the same
schedule (hadir backup <folder> --prune-older-than DAYS).`;

export const purge: Command = async (argv) => {
  let values;
  try {
    ({ values } = parse(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }));
    if (values.help) {
      process.stdout.write(PURGE_HELP + '\n');
      return 0;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hadir purge: ${e.message}\n\n${PURGE_HELP}\n`);
      return 2;
    }
    throw e;
  }
  const db = openDb({ file: defaultDbFile() });
  try {
    const r = new PrivacyService(db).purgeExpired(new Date(), cliActor());
    if (values.json) process.stdout.write(JSON.stringify(r) + '\n');
    else {
      process.stdout.write(
        `purged ${r.attendance} attendance records, ${r.leave} leave entries, ${r.audit} audit entries, ${r.thumbnails} thumbnails\n`,
      );
    }
    return 0;
  } finally {
    db.close();
  }
};

const PERSON_DATA_HELP = `usage: hadir person-data <employee number> [--out FILE]

Everything Hadir holds about one person, as JSON — for a data-subject access request under UU PDP:
the person, their consent records, face templates (embeddings as base64 Float32, kept thumbnails as
base64 JPEG), attendance, leave, import entries and the audit entries about them. The request is
recorded in the audit log. Hand the file over securely and delete your copy.`;

export const personData: Command = async (argv) => {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parse(argv, {
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    }));
    if (values.help) {
      process.stdout.write(PERSON_DATA_HELP + '\n');
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('give one employee number');
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hadir person-data: ${e.message}\n\n${PERSON_DATA_HELP}\n`);
      return 2;
    }
    throw e;
  }
  const db = openDb({ file: defaultDbFile() });
  try {
    const person = new PeopleRepo(db).getByEmployeeNumber(positionals[0]);
    if (!person) throw new HadirError('NOT_FOUND', `no person with employee number ${positionals[0]}`);
    const json = JSON.stringify(new PrivacyService(db).exportPersonData(person.id, cliActor()), null, 2) + '\n';
    if (values.out) {
      const tmp = `${values.out}.partial-${process.pid}`;
      writeFileSync(tmp, json, { mode: 0o600 });
      renameSync(tmp, values.out);
    } else {
      process.stdout.write(json);
    }
    return 0;
  } finally {
    db.close();
  }
};
