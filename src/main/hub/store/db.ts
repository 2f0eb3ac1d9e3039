import pg from 'pg';
import { HadirError } from '../../../shared/errors';

/** Anything that runs a query: the pool (one statement, autocommit) or a client inside a transaction. */
export type Sql = pg.Pool | pg.PoolClient | pg.Client;

const INT8_OID = 20;
const DATE_OID = 1082;

/**
 * node-postgres turns `date` into a JS Date at local midnight of the process, which shifts the day in
 * any zone west of UTC; a calendar date stays the string PostgreSQL sends. int8 (ids, sequence numbers,
 * counts) becomes a number: every such value here is far below 2^53, and a larger one is refused
 * rather than rounded.
 */
export const hubTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === DATE_OID) return (v: string) => v;
    if (oid === INT8_OID) {
      return (v: string) => {
        const n = Number(v);
        if (!Number.isSafeInteger(n)) throw new HadirError('INTERNAL', `integer ${v} is beyond 2^53`);
        return n;
      };
    }
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface HubPoolOptions {
  max?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

export function openHubPool(url: string, opts: HubPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    types: hubTypes,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'hadir-hub',
  });
  // A dropped idle connection is replaced on the next checkout; without a listener its error would
  // be an uncaught exception that ends the process.
  pool.on('error', () => {});
  // The same for a connection that is checked out when the server goes away (PostgreSQL restarted
  // while a push waits inside its transaction): the pool listens only to idle ones, and the client
  // emits 'error' besides failing its query. The query's rejection is what the caller handles; the
  // connection is then released as broken (see inTransaction).
  pool.on('connect', (client) => {
    client.on('error', () => {});
    POOL_OF.set(client, pool);
  });
  return pool;
}

// The pool each client came from: what a pool carries (the data key's keyring) reaches its transactions.
const POOL_OF = new WeakMap<object, pg.Pool>();

/** The pool `sql` is a client of (opened by {@link openHubPool}), if any. */
export function poolOfClient(sql: Sql): pg.Pool | undefined {
  return POOL_OF.get(sql);
}

/** Run `fn` in one transaction on a client of its own: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (tx: pg.PoolClient) => Promise<T>,
  opts: { isolation?: 'read committed' | 'repeatable read' | 'serializable'; readOnly?: boolean } = {},
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(
      `BEGIN ISOLATION LEVEL ${(opts.isolation ?? 'read committed').toUpperCase()}${opts.readOnly ? ' READ ONLY' : ''}`,
    );
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (e) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true; // the connection itself failed: do not hand it back to the pool
    }
    throw e;
  } finally {
    client.release(broken);
  }
}

/**
 * Make this transaction's COMMIT wait until its WAL is flushed, whatever the server's or role's
 * `synchronous_commit` says. For a commit that answers a promise outside the database: an
 * acknowledgement after which a kiosk deletes its own copy must not be lost to a server crash or an
 * immediate restart (with synchronous_commit off, the last commits before one vanish).
 */
export async function requireDurableCommit(tx: pg.PoolClient): Promise<void> {
  await tx.query('SET LOCAL synchronous_commit TO on');
}

/** PostgreSQL's SQLSTATE of a failed query, if it is one. */
export function sqlState(e: unknown): string | null {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

export const isUniqueViolation = (e: unknown) => sqlState(e) === '23505';
export const isForeignKeyViolation = (e: unknown) => sqlState(e) === '23503';
