import { isLoopbackHost } from '../api/config';
import { startHub, hubConfigFromEnv } from '../hub/server';
import { runHubMigrations } from '../hub/store/migrate';
import { UsageError, parse } from './args';
import { hubDatabaseUrl, runSubcommand, withHubPool } from './hub-env';
import { HUB_HELP } from './hub-help';

export async function hubMigrate(argv: string[]): Promise<number> {
  return runSubcommand('migrate', HUB_HELP, async () => {
    const { positionals } = parse(argv, {});
    if (positionals.length) throw new UsageError('migrate takes no arguments');
    const report = await withHubPool((pool) => runHubMigrations(pool));
    process.stdout.write(
      report.applied.length
        ? `hub database migrated to version ${report.version} (applied ${report.applied.join(', ')})\n`
        : `hub database already at version ${report.version}\n`,
    );
    return 0;
  });
}

/** Migrate, listen, and on SIGTERM/SIGINT answer the waiting long-polls and close everything. */
export async function hubServe(argv: string[]): Promise<number> {
  return runSubcommand('serve', HUB_HELP, async () => {
    const { positionals } = parse(argv, {});
    if (positionals.length) throw new UsageError('serve takes no arguments');
    const databaseUrl = hubDatabaseUrl();
    const config = hubConfigFromEnv();
    const hub = await startHub({ databaseUrl, config });
    process.stdout.write(`hadir hub: listening on ${hub.url} (hub ${hub.meta.hubId})\n`);
    if (!isLoopbackHost(config.host)) {
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
    await hub.close();
    return 0;
  });
}
