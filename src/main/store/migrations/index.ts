import { sql as core } from './001-core';
import { sql as attendance } from './002-attendance';
import { sql as access } from './003-access';
import { sql as imports } from './004-imports';
import { sql as attendanceEvidence } from './005-attendance-evidence';
import { sql as templateChanges } from './006-template-changes';
import { sql as hubSync } from './007-hub-sync';
import { sql as kioskPairing } from './008-kiosk-pairing';
import { sql as templateEncryption } from './009-template-encryption';
import { sql as units } from './010-units';
import { sql as enrollmentUploads } from './011-enrollment-uploads';
import { sql as hubDays } from './012-hub-days';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every schema change, in order. Each is applied in one transaction and recorded in
 * `PRAGMA user_version`; a released migration is never edited, only followed by a new one.
 * (SQL lives in TypeScript modules so the bundled app and the sources load it the same way.)
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'core', sql: core },
  { version: 2, name: 'attendance', sql: attendance },
  { version: 3, name: 'access', sql: access },
  { version: 4, name: 'imports', sql: imports },
  { version: 5, name: 'attendance-evidence', sql: attendanceEvidence },
  { version: 6, name: 'template-changes', sql: templateChanges },
  { version: 7, name: 'hub-sync', sql: hubSync },
  { version: 8, name: 'kiosk-pairing', sql: kioskPairing },
  { version: 9, name: 'template-encryption', sql: templateEncryption },
  { version: 10, name: 'units', sql: units },
  { version: 11, name: 'enrollment-uploads', sql: enrollmentUploads },
  { version: 12, name: 'hub-days', sql: hubDays },
];
