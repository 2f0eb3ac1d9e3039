import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncPerson } from '../../shared/sync-protocol';
import { HUB_MIGRATIONS } from '../hub/migrations';
import { repoRoot } from '../testing/paths';
import { type FreshDatabase, freshHubDatabase } from '../testing/postgres';
import { drain, getChanges, hubFetch, joinWithCode, kioskEvent, TEST_HUB_KEY_ENV } from '../testing/postgres-hub';
import { runHadir } from '../testing/run-cli';

interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** `hadir hub serve` as a child process on a free port; resolves once it prints where it listens. */
function startServe(env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/hadir.mjs'), 'hub', 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, HADIR_HUB_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub serve did not start: ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub serve exited with ${code}: ${err}`));
    });
  });
}

function stop(p: ServeProcess): Promise<{ code: number | null; ms: number }> {
  const began = Date.now();
  return new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve({ code: p.child.exitCode, ms: 0 });
    p.child.once('exit', (code) => resolve({ code, ms: Date.now() - began }));
    p.child.kill('SIGTERM');
  });
}

/** Run the CLI with text on standard input (the operator's secret). */
function runWithInput(
  args: string[],
  env: NodeJS.ProcessEnv,
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/hadir.mjs'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const LATEST = Math.max(...HUB_MIGRATIONS.map((m) => m.version));

const jsonLines = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('hadir hub (real CLI, two serve processes, one database)', () => {
  let db: FreshDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const serving: ServeProcess[] = [];
  const hub = (...args: string[]) => runHadir(['hub', ...args], env);

  beforeAll(async () => {
    db = await freshHubDatabase();
    // The sync side is under test here; the face API (its engine) has tests of its own.
    env = { HADIR_HUB_DATABASE_URL: db.url, HADIR_HUB_FACE: '0', ...TEST_HUB_KEY_ENV };
    dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-hub-cli-'));
  });
  afterAll(async () => {
    await Promise.all(serving.map(stop));
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('without HADIR_HUB_DATABASE_URL: one clear line, exit 2', async () => {
    const r = await runHadir(['hub', 'site', 'list'], { HADIR_HUB_DATABASE_URL: '' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/HADIR_HUB_DATABASE_URL is not set/);
  });

  it('migrates, and a second migrate has nothing to do', async () => {
    const first = await hub('migrate');
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(new RegExp(`migrated to version ${LATEST} \\(applied 1, `));
    expect((await hub('migrate')).stdout).toMatch(`already at version ${LATEST}`);
  });

  it('sites: add, refuse bad input with one line, set a schedule, list', async () => {
    expect((await hub('site', 'add', 'JKT', '--name', 'Kantor Pusat', '--tz', 'Asia/Jakarta')).code).toBe(0);
    expect((await hub('site', 'add', 'MKS', '--name', 'Makassar', '--tz', 'Asia/Makassar')).code).toBe(0);
    for (const [args, pattern] of [
      [['site', 'add', 'X', '--name', 'X', '--tz', 'Mars/Olympus'], /unknown time zone/],
      [['site', 'add', 'JKT', '--name', 'Again', '--tz', 'Asia/Jakarta'], /CONFLICT.*already exists/],
      [['pair', 'NOPE'], /NOT_FOUND.*no site "NOPE"/],
    ] as const) {
      const r = await hub(...args);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    }
    const usage = await hub('site', 'add', 'X');
    expect(usage.code).toBe(2);

    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ week: { mon: { checkIn: ['10:00', '09:00'] } } }));
    const refused = await hub('site', 'schedule', 'JKT', '--file', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/BAD_REQUEST.*schedule/);
    const good = path.join(dir, 'schedule.json');
    writeFileSync(good, JSON.stringify({ cooldownSeconds: 30 }));
    expect((await hub('site', 'schedule', 'JKT', '--file', good)).code).toBe(0);

    const list = jsonLines((await hub('site', 'list', '--json')).stdout);
    expect(list.map((s) => [s.code, s.time_zone])).toEqual([
      ['JKT', 'Asia/Jakarta'],
      ['MKS', 'Asia/Makassar'],
    ]);
    expect(list[0].schedule).toMatchObject({ timeZone: 'Asia/Jakarta', cooldownSeconds: 30 });
    expect(list[1].schedule).toBeNull();
  });

  it('pairs a kiosk, replicates a CLI-added person to a long-poll on the other process within 2 s, takes attendance, revokes', async () => {
    const [one, two] = await Promise.all([startServe(env), startServe(env)]);
    serving.push(one, two);

    const pair = await hub('pair', 'JKT', '--json');
    expect(pair.code).toBe(0);
    const code = JSON.parse(pair.stdout) as Record<string, string>;
    expect(Object.keys(code).sort()).toEqual(['code', 'expires_at']);
    expect(code.code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);

    const joined = await joinWithCode(one.url, code.code);
    expect(joined.status).toBe(200);
    const token = joined.body.credential;
    const devices = jsonLines((await hub('devices', '--json')).stdout);
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ id: joined.body.device_id, site: 'JKT', name: 'Loket Lt.1', revoked: false });
    expect(typeof devices[0].last_seen).toBe('string');

    // The kiosk waits on process two; the person is added through the CLI (its own connection).
    const start = await drain(two.url, token);
    const waiting = getChanges(two.url, token, { cursor: start.cursor, wait: 30 }).then((r) => ({ r, at: Date.now() }));
    const added = await hub(
      'people',
      'add',
      '199001012020121001',
      '--name',
      'Budi Santoso',
      '--site',
      'JKT',
      '--unit',
      'TU',
    );
    const addedAt = Date.now();
    expect(added.code).toBe(0);
    const { r, at } = await waiting;
    expect(at - addedAt).toBeLessThan(2000);
    const person = (r.body.items[0] as { person: SyncPerson }).person;
    expect(person).toMatchObject({ employee_number: '199001012020121001', full_name: 'Budi Santoso', unit: 'TU' });

    const listed = jsonLines((await hub('people', '--json', '--site', 'JKT')).stdout);
    expect(listed.map((p) => p.employee_number)).toEqual(['199001012020121001']);

    // 00:42 UTC on 7 Dec 2026 is 07:42 in Jakarta.
    const push = await hubFetch<{ acked_seq: number }>(one.url, 'POST', '/api/v1/sync/events', {
      token,
      body: {
        events: [
          kioskEvent(1, {
            employee_number: '199001012020121001',
            person_hub_id: person.hub_id,
            occurred_at: '2026-12-07T00:42:00.000Z',
          }),
          kioskEvent(2, {
            employee_number: '199001012020121001',
            type: 'out',
            occurred_at: '2026-12-07T09:05:00.000Z',
          }),
        ],
      },
    });
    expect(push.body.acked_seq).toBe(2);
    const events = jsonLines((await hub('attendance', '--date', '2026-12-07', '--site', 'JKT', '--json')).stdout);
    expect(events).toEqual([
      expect.objectContaining({
        employee_number: '199001012020121001',
        site: 'JKT',
        device: joined.body.device_id,
        time: '2026-12-07T07:42:00+07:00',
        type: 'in',
      }),
      expect.objectContaining({ time: '2026-12-07T16:05:00+07:00', type: 'out' }),
    ]);
    const days = jsonLines((await hub('attendance', '--date', '2026-12-07', '--days', '--json')).stdout);
    // Monday 7 Dec 2026; on time until 07:30, so 07:42 is late.
    expect(days).toEqual([
      expect.objectContaining({
        employee_number: '199001012020121001',
        first_in: { time: '2026-12-07T07:42:00+07:00', site: 'JKT' },
        last_out: { time: '2026-12-07T16:05:00+07:00', site: 'JKT' },
        late: true,
      }),
    ]);

    // Deleting through the CLI reaches the kiosk as a delete.
    const before = await drain(one.url, token, r.body.cursor);
    expect((await hub('people', 'delete', '199001012020121001')).code).toBe(0);
    expect((await drain(one.url, token, before.cursor)).items).toEqual([
      { type: 'person_delete', hub_id: person.hub_id },
    ]);
    expect((await hub('people', 'delete', '199001012020121001')).code).toBe(1);

    expect((await hub('devices', 'revoke', joined.body.device_id)).code).toBe(0);
    const refused = await getChanges(two.url, token);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { reason: 'DEVICE_REVOKED' } });
    expect(jsonLines((await hub('devices', '--json')).stdout)[0]).toMatchObject({ revoked: true });
    expect((await hub('devices', 'revoke', 'not-a-device')).code).toBe(1);
  });

  it('SIGTERM ends waiting long-polls and the process promptly, exit 0', async () => {
    const p = serving.pop()!;
    const { code } = JSON.parse((await hub('pair', 'MKS', '--json')).stdout) as { code: string };
    const token = (await joinWithCode(p.url, code)).body.credential;
    const start = await drain(p.url, token);
    const waiting = getChanges(p.url, token, { cursor: start.cursor, wait: 30 }).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 300));
    const stopped = await stop(p);
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
    const answer = await waiting;
    if (!(answer instanceof Error)) expect(answer.status).toBe(200);
  });

  it('operators and API keys are stored, the secret read from standard input', async () => {
    const op = await runWithInput(
      ['hub', 'operators', 'add', '--username', 'siti', '--role', 'site-head', '--site', 'JKT'],
      env,
      'correct horse battery\n',
    );
    expect(op.code).toBe(0);
    expect(op.stdout).toMatch(/operator \d+ "siti" \(site-head of JKT\) created/);
    const weak = await runWithInput(['hub', 'operators', 'add', '--username', 'x1', '--role', 'admin'], env, '123\n');
    expect(weak.code).toBe(1);
    const key = await hub('keys', 'create', '--name', 'payroll', '--scopes', 'read');
    expect(key.code).toBe(0);
    expect(key.stdout.trim()).toMatch(/^hadir_[A-Za-z0-9_-]{43}$/);
    const bad = await hub('keys', 'create', '--name', 'x', '--scopes', 'everything');
    expect(bad.code).toBe(1);
  });
});
