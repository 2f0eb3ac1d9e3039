import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../shared/http-api';
import type { ImportSummary } from '../services/bulk-import';
import { createServer } from './server';
import { getPack } from '../engine/manifest';
import type { InferencePool } from '../engine/pool';
import { openDb } from '../store/db';
import { runHadir } from '../testing/run-cli';
import { tempDb } from '../testing/temp-db';
import { type AppServices, openAppServices } from '../services/app-services';
import { checkEmployeeNumber, checkFullName, checkPersonFields, checkUnit } from '../services/validation';

/**
 * A person's fields follow one set of rules (validation.ts) whichever way they come in: the same value
 * is refused with the same message by the HTTP API and by `hadir import`, run for real.
 */

const idleEngine = {
  status: () => ({ liveWorkers: 1, busyWorkers: 0, queueDepth: 0, maxQueue: 8, livenessAvailable: false }),
} as unknown as InferencePool;

const BAD_NAME = 'Ani\tLestari';

describe('the rules of a person’s fields', () => {
  it('trims, and refuses what breaks them', () => {
    expect(checkPersonFields({ employeeNumber: ' 198501012010012001 ', fullName: ' Ani ', unit: ' ' })).toEqual({
      employeeNumber: '198501012010012001',
      fullName: 'Ani',
      unit: null,
    });
    expect(() => checkEmployeeNumber('A'.repeat(33))).toThrow(/employee_number/);
    expect(() => checkEmployeeNumber('1985;DROP')).toThrow(/employee_number/);
    expect(() => checkFullName('')).toThrow(/full_name/);
    expect(() => checkFullName('Ani\nLestari')).toThrow(/full_name/);
    expect(() => checkUnit('U'.repeat(121))).toThrow(/unit/);
  });
});

describe('HTTP and `hadir import` refuse the same name alike', () => {
  let store: ReturnType<typeof tempDb>;
  let services: AppServices;
  let url = '';
  let close: () => Promise<void>;
  let key = '';

  beforeAll(async () => {
    store = tempDb('hadir-validation-');
    services = openAppServices({
      db: store.db,
      engine: idleEngine,
      pack: getPack(undefined),
      api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
    });
    key = services.keys.create('hr', ['write'], { type: 'cli', id: 'test' }).key;
    const app = await createServer(
      { engine: idleEngine, pack: getPack(undefined), keys: services.keys, identity: null, services, kiosk: null },
      { host: '127.0.0.1', rateLimit: null },
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = () => app.close();
  });

  afterAll(async () => {
    await close?.();
    store?.cleanup();
  });

  it('answers the same message', async () => {
    const r = await fetch(`${url}/api/v1/people`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ employee_number: BAD_NAME, full_name: BAD_NAME, unit: null }),
    });
    expect(r.status).toBe(400);
    const http = ((await r.json()) as ErrorBody).error;
    expect(http.code).toBe('BAD_REQUEST');

    // One sub-folder per person, named by the employee number: this one breaks the rule.
    const photos = path.join(store.dir, 'photos');
    mkdirSync(path.join(photos, BAD_NAME), { recursive: true });
    for (const n of [1, 2, 3]) writeFileSync(path.join(photos, BAD_NAME, `${n}.jpg`), 'not decoded: refused first');
    const cli = await runHadir(['import', photos, '--json'], { HADIR_DATA_DIR: store.dir });
    expect(cli.code).toBe(1);
    const summary = JSON.parse(cli.stdout) as ImportSummary;
    expect(summary.rejected.map((x) => x.reason)).toEqual([http.message]);
    const db = openDb({ file: store.file });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM people').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  }, 60_000);
});
