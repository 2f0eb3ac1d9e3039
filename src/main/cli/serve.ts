import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from './index';
import { UsageError, parse } from './args';
import { parseProviderSetting, providerChoices } from '../engine/provider-order';

const HELP = `usage: hadir serve [--host H] [--port N] [--legacy] [options]

Runs Hadir's local HTTP API (/api/v1) headless. The engine starts (and warms up) first; the address is
printed once the server listens. SIGINT/SIGTERM stop it gracefully: in-flight requests finish, then the
engine drains.

options:
  --host H                    bind address (default 127.0.0.1, or HADIR_HOST). Anything but loopback
                              requires API keys to exist.
  --port N                    port (default 5010, or HADIR_PORT; 0 picks a free one)
  --allowed-host NAME         another name clients use in the Host header (repeatable; HADIR_ALLOWED_HOSTS)
  --legacy                    also serve the old Flask services' routes (or HADIR_LEGACY_ROUTES=1)
  --legacy-antispoof          with --legacy: the old anti-spoofing routes on a second listener too,
                              on the old service's port 5009
  --legacy-antispoof-port N   the same on port N (or HADIR_LEGACY_ANTISPOOF_PORT)
  --uploads-dir DIR           folder of the old routes' named uploads (or HADIR_UPLOADS_DIR)
  --upload-limit-mb N         largest uploaded file (default 10, or HADIR_UPLOAD_LIMIT_MB)
  --rate-limit N[/BURST]      requests per second per client (default 20/40; 0 = off; HADIR_RATE_LIMIT)
  --tls-cert FILE             serve HTTPS with this PEM certificate (with --tls-key; HADIR_TLS_CERT). A tablet's
                              browser gives the web kiosk the camera only over HTTPS (or on localhost).
  --tls-key FILE              its PEM private key (HADIR_TLS_KEY)
  --tls-self-signed           serve HTTPS with a self-signed certificate, generated once into <data dir>/tls/
                              for localhost, the bind address and the allowed hosts (HADIR_TLS_SELF_SIGNED=1);
                              its SHA-256 fingerprint is printed at start-up, for pinning
  --pack ID                   model pack (default: the manifest's default)
  --workers N                 inference workers (default: one per two cores)
  --provider P                execution provider (HADIR_PROVIDER): auto (default) tries CUDA, DirectML
                              (Windows), WebGPU (where a GPU is present), then the CPU; cuda, webgpu or dml
                              fail unless that GPU provider works; cpu never tries a GPU
The web kiosk (the renderer built by \`npm run build\` into out/renderer, or HADIR_RENDERER_DIR) is served under
/app/ when it has been built.
Data (the database, keys) come from HADIR_DATA_DIR as everywhere else.`;

export const serve: Command = async (argv) => {
  const { configFromEnv, DEFAULT_LEGACY_ANTISPOOF_PORT, parsePort, parseRateLimit, parseUploadLimitMb, tlsFiles } =
    await import('../api/config');
  let values;
  let config;
  try {
    ({ values } = parse(argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      legacy: { type: 'boolean' },
      'legacy-antispoof': { type: 'boolean' },
      'legacy-antispoof-port': { type: 'string' },
      'uploads-dir': { type: 'string' },
      'upload-limit-mb': { type: 'string' },
      'rate-limit': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-self-signed': { type: 'boolean' },
      pack: { type: 'string' },
      workers: { type: 'string' },
      provider: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    }));
    if (values.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const bad = (e: unknown) => new UsageError((e as Error).message);
    try {
      config = configFromEnv();
      if (values.host) config.host = values.host;
      if (values.port !== undefined) config.port = parsePort(values.port, '--port');
      if (values['allowed-host']) config.allowedHosts.push(...values['allowed-host']);
      if (values.legacy) config.legacyRoutes = true;
      if (values['legacy-antispoof']) config.legacyAntispoofPort = DEFAULT_LEGACY_ANTISPOOF_PORT;
      if (values['legacy-antispoof-port'] !== undefined) {
        config.legacyAntispoofPort = parsePort(values['legacy-antispoof-port'], '--legacy-antispoof-port');
      }
      if (values['uploads-dir']) config.uploadsDir = values['uploads-dir'];
      if (values['upload-limit-mb'])
        config.uploadLimitBytes = parseUploadLimitMb(values['upload-limit-mb'], '--upload-limit-mb');
      if (values['rate-limit']) config.rateLimit = parseRateLimit(values['rate-limit'], '--rate-limit');
      if (values['tls-self-signed'] && (values['tls-cert'] || values['tls-key'])) {
        throw new Error('--tls-self-signed and --tls-cert/--tls-key exclude each other');
      }
      if (values['tls-cert'] || values['tls-key']) {
        config.tls = tlsFiles(values['tls-cert'], values['tls-key'], '--tls-cert', '--tls-key');
      }
      if (values['tls-self-signed']) config.tls = { mode: 'self-signed' };
    } catch (e) {
      throw bad(e);
    }
    if (config.legacyAntispoofPort !== null && !config.legacyRoutes) {
      throw new UsageError('the anti-spoofing listener needs the legacy routes on (--legacy)');
    }
    if (values.workers !== undefined && !/^[1-9]\d*$/.test(values.workers))
      throw new UsageError('--workers must be a positive integer');
    if (values.provider !== undefined && parseProviderSetting(values.provider) === null) {
      throw new UsageError(`--provider must be ${providerChoices()} (got "${values.provider}")`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hadir serve: ${e.message}\n\n${HELP}\n`);
      return 2;
    }
    throw e;
  }

  const { startServer } = await import('../api/server');
  const { openDb } = await import('../store/db');
  const { isRendererBuild, rendererMount } = await import('../api/renderer-static');
  // The web kiosk (the renderer built by `npm run build`) under /app/, when it has been built.
  const rendererDir = process.env.HADIR_RENDERER_DIR
    ? path.resolve(process.env.HADIR_RENDERER_DIR)
    : fileURLToPath(new URL('../../../out/renderer', import.meta.url));
  const mount = isRendererBuild(rendererDir) ? rendererMount(rendererDir) : undefined;
  if (!mount) process.stderr.write(`hadir serve: no web kiosk at ${rendererDir} (build it with npm run build)\n`);
  // The store of HADIR_DATA_DIR: API keys, the people and their faces.
  const db = openDb();
  // What an admin stored in the settings applies where no flag or variable says otherwise.
  const { storedApiSettings } = await import('../services/site-settings');
  const stored = storedApiSettings(db);
  if (stored.host !== undefined && values.host === undefined && !process.env.HADIR_HOST) config.host = stored.host;
  if (stored.port !== undefined && values.port === undefined && !process.env.HADIR_PORT) config.port = stored.port;
  if (stored.legacyRoutes === true && !values.legacy && process.env.HADIR_LEGACY_ROUTES === undefined) {
    config.legacyRoutes = true;
  }
  if (stored.trustedProxies && process.env.HADIR_TRUSTED_PROXIES === undefined) {
    config.trustedProxies = stored.trustedProxies;
  }
  let running;
  try {
    running = await startServer({
      config,
      db,
      packId: values.pack,
      mount,
      pool: {
        ...(values.workers ? { workers: Number(values.workers) } : {}),
        ...(values.provider ? { provider: parseProviderSetting(values.provider)! } : {}),
      },
    });
  } catch (e) {
    db.close();
    throw e;
  }
  const server = running;
  if (mount) process.stdout.write(`hadir serve: web kiosk at ${running.url}/app/\n`);
  // A kiosk joined to a hub (`hadir join`, or the API's join) keeps its replica and outbox in step while it serves.
  const sync = server.hub;
  sync?.start();

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`hadir serve: ${signal} again, exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`hadir serve: ${signal}, shutting down…\n`);
      // A stuck request must not keep the process alive forever.
      const hard = setTimeout(() => {
        process.stderr.write('hadir serve: shutdown took too long, exiting\n');
        process.exit(1);
      }, 30_000);
      hard.unref();
      const done = (code: number) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(code);
      };
      (sync?.stop() ?? Promise.resolve())
        .then(() => server.close())
        .then(
          () => {
            db.close();
            process.stderr.write('hadir serve: stopped\n');
            done(0);
          },
          (e: unknown) => {
            process.stderr.write(`hadir serve: error while stopping: ${(e as Error).message}\n`);
            done(1);
          },
        );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
};
