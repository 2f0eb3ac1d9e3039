import net from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempDb } from '../testing/temp-db';
import { startApp } from './startup';

/** The app's services with the HTTP API embedded: listening on the configured port, or off (not fatal) when busy. */

const stores: ReturnType<typeof tempDb>[] = [];
afterAll(() => {
  vi.unstubAllEnvs();
  for (const s of stores) s.cleanup();
});

describe('startApp', () => {
  it('serves the API over the same services, and keeps working when the port is taken', async () => {
    const store = tempDb('hadir-app-');
    stores.push(store);
    vi.stubEnv('HADIR_HOST', '127.0.0.1');
    vi.stubEnv('HADIR_PORT', '0');
    const lines: string[] = [];
    const started = await startApp({ db: store.db, log: (l) => lines.push(l) });
    try {
      expect(started.api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines.join('\n')).toContain(`API listening on ${started.api.url}`);
      const health = await fetch(`${started.api.url}/api/v1/health`);
      expect(health.status).toBe(200);
    } finally {
      await started.close();
    }

    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    vi.stubEnv('HADIR_PORT', String((blocker.address() as net.AddressInfo).port));
    const busy = await startApp({ db: store.db, log: (l) => lines.push(l) });
    try {
      expect(busy.api.url).toBeNull();
      expect(busy.api.error).toMatch(/EADDRINUSE|in use/i);
      expect(lines.at(-1)).toMatch(/the HTTP API is unavailable/);
      // The kiosk side still answers.
      expect(busy.services.kiosk.status().database.ok).toBe(true);
    } finally {
      await busy.close();
      blocker.close();
    }
  }, 120_000);
});
