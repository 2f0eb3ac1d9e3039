import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL (a superuser, database `postgres`) of the test run's PostgreSQL server, or '' when none. */
    pgAdminUrl: string;
  }
}

const run = promisify(execFile);

/** The folder of PostgreSQL's server programs: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinDir(): string | null {
  const has = (dir: string) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'));
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (has(dir)) return dir;
  } catch {
    // no pg_config on PATH: look in Debian's layout
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = path.join(root, v, 'bin');
    if (has(dir)) return dir;
  }
  return null;
}

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ThrowawayCluster {
  adminUrl: string;
  /**
   * Stop the server the way a crash or an operator's restart would (`immediate`: every connection cut
   * at once, recovery at start) and start it again on the same port and folder.
   */
  restart(mode?: 'immediate' | 'fast'): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL cluster in a temporary folder for one test run: trust authentication on loopback only,
 * fsync off (a crash loses nothing a test needs). PostgreSQL refuses to run as root, so as root the
 * programs run as the `postgres` user, who then must own the folder.
 */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server programs not found (install postgresql or set HADIR_TEST_DATABASE_URL)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const pgRun = (prog: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, prog), ...args]) : run(path.join(bin, prog), args);
  const port = await freePort();
  try {
    await pgRun('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      // Test files run in parallel, each with a pool or two and some listeners.
      '-c max_connections=300',
    ].join(' ');
    await pgRun('pg_ctl', ['-D', data, '-o', settings, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  // The server outlives a test run that is killed (a timeout, Ctrl-C twice) before its teardown; a
  // detached watchdog stops it and removes its folder once this process is gone.
  const stopCmd = [path.join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'].map(shellQuote).join(' ');
  const watchdog = spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; ` +
        `${asRoot ? `runuser -u postgres -- ${stopCmd}` : stopCmd}; rm -rf ${shellQuote(dir)}`,
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async (mode = 'immediate') => {
      // pg_ctl restart starts the server with the options it was started with (postmaster.opts).
      await pgRun('pg_ctl', ['-D', data, '-m', mode, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'restart']);
    },
    stop: async () => {
      try {
        await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The admin URL the global setup provided; a clear failure when the run has no PostgreSQL. */
export function pgAdminUrl(): string {
  const url = inject('pgAdminUrl');
  if (!url) {
    throw new Error(
      'no PostgreSQL for this test run: set HADIR_TEST_DATABASE_URL, or install PostgreSQL (initdb, pg_ctl) so the ' +
        'global setup can start a throwaway cluster',
    );
  }
  return url;
}

/** `url` with its database replaced. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface FreshDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  /** Drop it (ending any connection still open to it). */
  drop(): Promise<void>;
}

/** An empty database of its own for a test file, on the test run's server. */
export async function freshHubDatabase(): Promise<FreshDatabase> {
  const admin = pgAdminUrl();
  const name = `hub_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return {
    url: withDatabase(admin, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
