import { sql as core } from './001-core';

export interface HubMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every schema change of the hub's PostgreSQL database, in order. Each is applied in one transaction
 * and recorded in `schema_migrations`; a released migration is never edited, only followed by a new one.
 */
export const HUB_MIGRATIONS: readonly HubMigration[] = [{ version: 1, name: 'core', sql: core }];
