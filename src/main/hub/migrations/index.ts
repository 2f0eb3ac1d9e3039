import { sql as core } from './001-core';
import { sql as phoneCheckins } from './002-phone-checkins';
import { sql as attendanceCorrections } from './003-attendance-corrections';
import { sql as sealedTemplates } from './004-sealed-templates';
import { sql as operatorSessions } from './005-operator-sessions';
import { sql as imports } from './006-imports';
import { sql as enrollmentUploads } from './007-enrollment-uploads';
import { sql as consoleImports } from './008-console-imports';
import { sql as duplicateCheck } from './009-duplicate-check';

export interface HubMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every schema change of the hub's PostgreSQL database, in order. Each is applied in one transaction
 * and recorded in `schema_migrations`; a released migration is never edited, only followed by a new one.
 */
export const HUB_MIGRATIONS: readonly HubMigration[] = [
  { version: 1, name: 'core', sql: core },
  { version: 2, name: 'phone-checkins', sql: phoneCheckins },
  { version: 3, name: 'attendance-corrections', sql: attendanceCorrections },
  { version: 4, name: 'sealed-templates', sql: sealedTemplates },
  { version: 5, name: 'operator-sessions', sql: operatorSessions },
  { version: 6, name: 'imports', sql: imports },
  { version: 7, name: 'enrollment-uploads', sql: enrollmentUploads },
  { version: 8, name: 'console-imports', sql: consoleImports },
  { version: 9, name: 'duplicate-check', sql: duplicateCheck },
];
