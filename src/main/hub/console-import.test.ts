import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleSession, ImportList, ImportView, PeoplePage } from '../../shared/hub-admin';
import { facesDir, haveSharedData } from '../testing/paths';
import { startTestHub, TEST_ACTOR, type TestHub } from '../testing/postgres-hub';
import { makeZip } from '../testing/zip-writer';
import { addOperator } from './access';
import { CONSOLE_IMPORT_PREFIX } from './console-import';
import { staticSettings } from './face-api';
import { addSite } from './sites';

/**
 * The console's photo import for real: a hub with the face API (real models, the organisation's
 * gallery) on a real PostgreSQL, zips uploaded over real HTTP by signed-in operators, the progress row
 * polled until the import ends, the people then in the database.
 */

const SECRET = 'correct horse battery';
const CHEAP = { ln: 10, r: 8, p: 1 };
const face = (name: string) => readFileSync(path.join(facesDir, name));

/** Three people as HR hands them over: a folder, a loose photo, and a folder whose photo has no face. */
const THREE = () =>
  makeZip([
    { name: 'foto-pegawai/100001/a.jpg', data: face('0c5e25d359f6.jpg') }, // Ariel Sharon
    { name: 'foto-pegawai/100002.jpg', data: face('f7993a058288.jpg') }, // Hugo Chavez
    { name: 'foto-pegawai/100003/x.jpg', data: face('3c386e553b62.jpg') }, // no face
    { name: '__MACOSX/foto-pegawai/._100002.jpg', data: 'resource fork' },
  ]);

const leftovers = () => readdirSync(os.tmpdir()).filter((n) => n.startsWith(CONSOLE_IMPORT_PREFIX));

describe.skipIf(!haveSharedData())('console photo import (real PostgreSQL, face API, real HTTP)', () => {
  let t: TestHub;
  const cookies: Record<string, string> = {};

  async function call<T>(method: string, url: string, who: string, body?: Buffer, type = 'application/zip') {
    const res = await fetch(t.url + url, {
      method,
      headers: {
        cookie: cookies[who],
        'x-hadir-console': '1',
        ...(body ? { 'content-type': type } : {}),
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async function until(id: string, who: string): Promise<ImportView> {
    const end = Date.now() + 90_000;
    for (;;) {
      const r = await call<ImportView>('GET', `/api/v1/hub/imports/${id}`, who);
      expect(r.status).toBe(200);
      if (r.body.state !== 'running' || Date.now() > end) return r.body;
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  beforeAll(async () => {
    t = await startTestHub({
      config: { port: 0, signInRateLimit: { perSecond: 100, burst: 1000 }, scrypt: CHEAP },
      face: { pool: { workers: 1, intraOpNumThreads: 2 }, settings: staticSettings({}) },
    });
    const pool = t.hub.pool;
    await addSite(pool, { code: 'JKT', name: 'Jakarta', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    await addSite(pool, { code: 'MKS', name: 'Makassar', timeZone: 'Asia/Makassar' }, TEST_ACTOR);
    const ops: [string, string, string[]][] = [
      ['admin', 'admin', []],
      ['siti', 'personnel', ['JKT']],
      ['kepala', 'site-head', ['JKT']],
    ];
    for (const [username, role, sites] of ops) {
      await addOperator(pool, { username, role, sites, secret: SECRET }, TEST_ACTOR);
      const r = await fetch(`${t.url}/api/v1/hub/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hadir-console': '1' },
        body: JSON.stringify({ username, secret: SECRET }),
      });
      expect(r.status).toBe(200);
      expect(((await r.json()) as ConsoleSession).operator.role).toBe(role);
      cookies[username] = r.headers.get('set-cookie')!.split(';')[0];
    }
    await t.hub.face!.gallery.ready;
  }, 300_000);

  afterAll(async () => {
    await t?.close();
  });

  it('imports a zip of three people in the background: two enrolled, one rejected with its reasons', async () => {
    const started = await call<{ id: string }>('POST', '/api/v1/hub/imports?site=JKT', 'siti', THREE());
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await until(started.body.id, 'siti');
    expect(done).toMatchObject({
      site: 'JKT',
      started_by: 'operator:siti',
      state: 'done',
      total: 3,
      done: 3,
      enrolled: 2,
      skipped: 0,
      rejected: 1,
      failed: 0,
      error: null,
    });
    expect(done.finished_at).not.toBeNull();
    expect(done.rejections).toEqual([
      {
        employee_number: '100003',
        code: 'too_few_samples',
        reason: expect.stringMatching(/^too_few_samples: .*no_face/),
        photos: [{ file: 'x.jpg', checks: [{ code: 'no_face' }] }],
      },
    ]);

    const { rows } = await t.hub.pool.query<{ employee_number: string; site: string; templates: number }>(
      `SELECT p.employee_number, s.code AS site,
              (SELECT count(*) FROM face_templates f WHERE f.person_id = p.id) AS templates
         FROM people p JOIN sites s ON s.id = p.home_site_id ORDER BY 1`,
    );
    expect(rows).toEqual([
      { employee_number: '100001', site: 'JKT', templates: 1 },
      { employee_number: '100002', site: 'JKT', templates: 1 },
    ]);
    // The people list says the organisation-wide duplicate check passed for them.
    const listed = await call<PeoplePage>('GET', '/api/v1/hub/people?site=JKT', 'admin');
    expect(listed.body.people.map((p) => [p.employee_number, p.duplicate_check])).toEqual([
      ['100001', 'passed'],
      ['100002', 'passed'],
    ]);
    const audit = await t.hub.pool.query<{ action: string; actor_id: string; details: Record<string, unknown> }>(
      `SELECT action, actor_id, details FROM audit_log WHERE target_type = 'import' ORDER BY id`,
    );
    expect(audit.rows.map((r) => [r.action, r.actor_id])).toEqual([
      ['import.start', 'siti'],
      ['import.finish', 'siti'],
    ]);
    expect(audit.rows[1].details).toMatchObject({ site: 'JKT', people: 3, enrolled: 2, rejected: 1, failed: 0 });
    // The photos are gone with the import.
    expect(leftovers()).toEqual([]);

    // A second upload of the same people: already enrolled, skipped; the list shows both, newest first.
    const again = await call<{ id: string }>('POST', '/api/v1/hub/imports?site=JKT', 'admin', THREE());
    expect(again.status).toBe(202);
    expect(await until(again.body.id, 'admin')).toMatchObject({ state: 'done', skipped: 2, rejected: 1 });
    const list = await call<ImportList>('GET', '/api/v1/hub/imports', 'siti');
    expect(list.body.imports.map((i) => i.id)).toEqual([again.body.id, started.body.id]);
  });

  it('refuses what is not a zip, a zip-slip path, a link, and an empty zip (400, with a reason)', async () => {
    const refused = async (body: Buffer) => {
      const r = await call<{ error: { code: string; reason?: string } }>(
        'POST',
        '/api/v1/hub/imports?site=JKT',
        'admin',
        body,
      );
      return { status: r.status, code: r.body.error.code, reason: r.body.error.reason };
    };
    expect(await refused(Buffer.from('this is not a zip'))).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
      reason: 'not_a_zip',
    });
    expect(await refused(makeZip([{ name: '../../evil/100009.jpg', data: face('0c5e25d359f6.jpg') }]))).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
      reason: 'zip_unsafe_path',
    });
    expect(
      await refused(
        makeZip([
          { name: '100010.jpg', data: face('0c5e25d359f6.jpg') },
          { name: '100011.jpg', data: '/etc/passwd', mode: 0o120777 },
        ]),
      ),
    ).toEqual({ status: 400, code: 'BAD_REQUEST', reason: 'zip_symlink' });
    expect(await refused(makeZip([{ name: 'readme.txt', data: 'no photos here' }]))).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
      reason: 'zip_no_photos',
    });
    // Another body type is not taken at all.
    const text = await call<{ error: { code: string } }>(
      'POST',
      '/api/v1/hub/imports?site=JKT',
      'admin',
      Buffer.from('x'),
      'text/plain',
    );
    expect(text.status).toBe(415);
    expect(leftovers()).toEqual([]);
    const { rows } = await t.hub.pool.query('SELECT 1 FROM people WHERE employee_number IN ($1, $2)', [
      '100009',
      '100010',
    ]);
    expect(rows).toEqual([]);
  });

  it('lets only those who may import, at their own sites', async () => {
    // A site head may not import at all.
    const head = await call<{ error: { code: string } }>('POST', '/api/v1/hub/imports?site=JKT', 'kepala', THREE());
    expect(head.status).toBe(403);
    expect((await call('GET', '/api/v1/hub/imports', 'kepala')).status).toBe(403);
    // A personnel officer of JKT, not at MKS; the imports they list are their sites' only.
    const other = await call<{ error: { code: string } }>('POST', '/api/v1/hub/imports?site=MKS', 'siti', THREE());
    expect(other.status).toBe(403);
    expect((await call('GET', '/api/v1/hub/imports?site=MKS', 'siti')).status).toBe(403);
    // Without a session, nothing.
    const anon = await fetch(`${t.url}/api/v1/hub/imports?site=JKT`, {
      method: 'POST',
      headers: { 'content-type': 'application/zip' },
      body: THREE(),
    });
    expect(anon.status).toBe(401);
    expect((await call('GET', '/api/v1/hub/imports/00000000-0000-4000-8000-000000000000', 'admin')).status).toBe(404);
  });
});
