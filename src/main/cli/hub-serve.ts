import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLoopbackHost, type ServerConfig } from '../api/config';
import { isRendererBuild } from '../api/renderer-static';
import { startHub, hubConfigFromEnv } from '../hub/server';
import { openHubDataKey, sealPlaintextTemplates } from '../hub/store/data-key';
import { runHubMigrations } from '../hub/store/migrate';
import { hubKeyring } from '../store/data-key-file';
import { UsageError, parse } from './args';
import { hubDatabaseUrl, runSubcommand, withHubPool } from './hub-env';
import { HUB_HELP } from './hub-help';

/**
 * What the face API shares with `hadir serve`: its environment (HADIR_LEGACY_ROUTES, HADIR_UPLOADS_DIR,
 * HADIR_TLS_*, limits; HADIR_HOST/HADIR_PORT are not the hub's) and the same flags.
 */
async function faceServerConfig(values: Record<string, string | boolean | undefined>): Promise<Partial<ServerConfig>> {
  const { configFromEnv, DEFAULT_LEGACY_ANTISPOOF_PORT, parsePort, tlsFiles } = await import('../api/config');
  let c: ServerConfig;
  try {
    c = configFromEnv();
    if (values.legacy) c.legacyRoutes = true;
    if (values['legacy-antispoof']) c.legacyAntispoofPort = DEFAULT_LEGACY_ANTISPOOF_PORT;
    if (typeof values['legacy-antispoof-port'] === 'string') {
      c.legacyAntispoofPort = parsePort(values['legacy-antispoof-port'], '--legacy-antispoof-port');
    }
    if (typeof values['uploads-dir'] === 'string') c.uploadsDir = values['uploads-dir'];
    if (values['tls-self-signed'] && (values['tls-cert'] || values['tls-key'])) {
      throw new Error('--tls-self-signed and --tls-cert/--tls-key exclude each other');
    }
    if (values['tls-cert'] || values['tls-key']) {
      c.tls = tlsFiles(values['tls-cert'] as string, values['tls-key'] as string, '--tls-cert', '--tls-key');
    }
    if (values['tls-self-signed']) c.tls = { mode: 'self-signed' };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (c.legacyAntispoofPort !== null && !c.legacyRoutes) {
    throw new UsageError('the anti-spoofing listener needs the legacy routes on (--legacy)');
  }
  const { host: _host, port: _port, ...shared } = c;
  return shared;
}

export async function hubMigrate(argv: string[]): Promise<number> {
  return runSubcommand('migrate', HUB_HELP, async () => {
    const { positionals } = parse(argv, {});
    if (positionals.length) throw new UsageError('migrate takes no arguments');
    // The data key first: a hub that could not start afterwards is not migrated either.
    const keyring = hubKeyring(process.env);
    const { report, sealed } = await withHubPool(async (pool) => {
      const report = await runHubMigrations(pool);
      await openHubDataKey(pool, keyring);
      return { report, sealed: await sealPlaintextTemplates(pool) };
    });
    process.stdout.write(
      report.applied.length
        ? `hub database migrated to version ${report.version} (applied ${report.applied.join(', ')})\n`
        : `hub database already at version ${report.version}\n`,
    );
    if (sealed > 0) process.stdout.write(`sealed ${sealed} face templates under the hub data key\n`);
    return 0;
  });
}

/** How long a stop may take before the process exits regardless. */
const CLOSE_LIMIT_MS = 3_000;

/** Migrate, listen, and on SIGTERM/SIGINT answer the waiting long-polls and close everything. */
export async function hubServe(argv: string[]): Promise<number> {
  return runSubcommand('serve', HUB_HELP, async () => {
    const { positionals, values } = parse(argv, {
      legacy: { type: 'boolean' },
      'legacy-antispoof': { type: 'boolean' },
      'legacy-antispoof-port': { type: 'string' },
      'uploads-dir': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-self-signed': { type: 'boolean' },
      pack: { type: 'string' },
      'no-face': { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError('serve takes no arguments');
    const databaseUrl = hubDatabaseUrl();
    const config = hubConfigFromEnv();
    const keyring = hubKeyring(process.env);
    const faceOff = values['no-face'] === true || process.env.HADIR_HUB_FACE === '0';
    // The admin console (npm run build:admin) under /admin/, when it has been built.
    const adminDir = process.env.HADIR_ADMIN_DIR
      ? path.resolve(process.env.HADIR_ADMIN_DIR)
      : fileURLToPath(new URL('../../../out/admin', import.meta.url));
    const hub = await startHub({
      databaseUrl,
      config,
      keyring,
      adminDir,
      face: faceOff ? undefined : { server: await faceServerConfig(values), packId: values.pack, logger: true },
    });
    if (hub.face) {
      const s = hub.face.engine.status();
      process.stdout.write(
        `hadir hub: face API on ${hub.url}/api/v1 (pack ${hub.face.pack.id}, ${s.provider?.active ?? '?'}, ` +
          `${s.workers} worker${s.workers === 1 ? '' : 's'}); the gallery is loading\n`,
      );
      if (hub.face.antispoofUrl)
        process.stdout.write(`hadir hub: old anti-spoofing routes also on ${hub.face.antispoofUrl}\n`);
      void hub.face.gallery.ready.then(() => {
        const g = hub.face!.gallery.stats();
        if (g.state === 'ready') {
          process.stdout.write(
            `hadir hub: gallery ready: ${g.templates} templates of ${g.people} people in ${Math.round(g.loadMs ?? 0)} ms\n`,
          );
        }
      });
    }
    process.stdout.write(`hadir hub: listening on ${hub.url} (hub ${hub.meta.hubId})\n`);
    if (isRendererBuild(adminDir)) process.stdout.write(`hadir hub: admin console on ${hub.url}/admin/\n`);
    else process.stderr.write(`hadir hub: no admin console at ${adminDir} (build it with npm run build:admin)\n`);
    if (!isLoopbackHost(config.host) && !hub.face?.app.server.listening) {
      process.stderr.write(
        'hadir hub: warning: plain HTTP beyond loopback; device credentials cross the network in clear. ' +
          'Put a TLS reverse proxy in front of the hub.\n',
      );
    }
    hub.notifier.events.on('disconnected', () =>
      process.stderr.write('hadir hub: lost the database notification connection; reconnecting\n'),
    );
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    process.stderr.write(`hadir hub: ${signal}, closing\n`);
    // A stop must be prompt (systemd, a load balancer draining): close gracefully, but never for longer
    // than CLOSE_LIMIT_MS. Nothing is lost by cutting it short: a kiosk's push is acknowledged only after
    // its transaction commits, so an interrupted one is simply sent again to the next process.
    const closed = await Promise.race([
      hub.close().then(() => true),
      new Promise<false>((r) => setTimeout(r, CLOSE_LIMIT_MS, false).unref()),
    ]);
    if (!closed) {
      process.stderr.write(`hadir hub: closing took over ${CLOSE_LIMIT_MS / 1000} s; exiting anyway\n`);
      process.exit(0);
    }
    return 0;
  });
}
