import os from 'node:os';
import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { openHubPool, sqlState } from '../hub/store/db';
import { UsageError } from './args';

/** A setting missing from the environment: exit 2 like bad usage, but the help would only bury the line. */
export class MissingSettingError extends UsageError {}

/** HADIR_HUB_DATABASE_URL, the hub's PostgreSQL (postgres://user:password@host:5432/hadir). */
export function hubDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.HADIR_HUB_DATABASE_URL?.trim();
  if (!url) {
    throw new MissingSettingError(
      'HADIR_HUB_DATABASE_URL is not set: give the hub its PostgreSQL database, e.g. ' +
        'HADIR_HUB_DATABASE_URL=postgres://hadir:secret@localhost:5432/hadir',
    );
  }
  return url;
}

/** A failure to reach the database as one clear line (node-postgres' own can be an empty AggregateError). */
export function databaseError(e: unknown): unknown {
  if (e instanceof HadirError || e instanceof UsageError) return e;
  const err = e as { code?: string; message?: string; errors?: { message?: string }[] };
  const state = sqlState(e);
  const message = err?.message || err?.errors?.map((x) => x.message).join('; ') || String(e);
  if (state === null && typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code)) {
    return new HadirError('INTERNAL', `cannot reach the hub database (${err.code}: ${message})`);
  }
  if (state === '28P01' || state === '28000') {
    return new HadirError('UNAUTHORIZED', `the hub database refused the login: ${message}`);
  }
  if (state === '3D000') return new HadirError('NOT_FOUND', `${message} (create it, then run \`hadir hub migrate\`)`);
  if (state === '42P01') return new HadirError('INTERNAL', `${message}: run \`hadir hub migrate\` first`);
  if (state) return new HadirError('INTERNAL', `database error ${state}: ${message}`);
  return e;
}

/** Run `fn` with a small pool on the hub database, closing it afterwards. */
export async function withHubPool<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = openHubPool(hubDatabaseUrl(), { max: 2, applicationName: 'hadir-hub-cli' });
  try {
    return await fn(pool);
  } catch (e) {
    throw databaseError(e);
  } finally {
    await pool.end().catch(() => {});
  }
}

/** One JSON object per line. */
export function printJsonLines(rows: readonly unknown[]): void {
  for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
}

/**
 * The CLI's identity in the hub's audit log: the operating-system user, as `cliActor` in store.ts
 * says it; not imported from there because that module loads the kiosk's SQLite and engine.
 */
export function cliActor(): Actor {
  let user: string | null = null;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? null;
  }
  return { type: 'cli', id: user };
}

/**
 * A hub subcommand: parse its options, run it, and turn a usage error into its help and exit 2.
 * Other errors travel up to the dispatcher, which prints one line and exits 1.
 */
export async function runSubcommand(name: string, help: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof MissingSettingError) {
      process.stderr.write(`hadir hub ${name}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`hadir hub ${name}: ${e.message}\n\n${help}\n`);
      return 2;
    }
    throw databaseError(e);
  }
}
