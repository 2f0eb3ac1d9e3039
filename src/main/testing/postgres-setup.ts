import type { TestProject } from 'vitest/node';
import { startThrowawayCluster } from './postgres';

/** Where the tests that need PostgreSQL live; a focused run that selects none of them starts no server. */
const CONSUMER_PATHS = ['src/main/hub/', 'src/main/cli/hub', 'src/main/sync/', 'src/main/testing/postgres'];

function postgresWanted(): boolean {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === 'run' || a === 'watch');
  const filters = (i >= 0 ? args.slice(i + 1) : args).filter((a) => !a.startsWith('-') && !a.includes('vitest'));
  if (filters.length === 0) return true;
  return filters.some((raw) => {
    const f = raw.replace(/^\.\//, '');
    return /hub|sync|postgres/i.test(f) || CONSUMER_PATHS.some((c) => c.startsWith(f) || f.startsWith(c));
  });
}

/**
 * Vitest global setup: one PostgreSQL server per test run. HADIR_TEST_DATABASE_URL (an admin URL on a
 * running server, as CI gives) is used as it is; otherwise a throwaway cluster starts in a temporary
 * folder and is removed at teardown. Each test file then creates a database of its own on it.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const given = process.env.HADIR_TEST_DATABASE_URL;
  if (given) {
    project.provide('pgAdminUrl', given);
    return;
  }
  if (!postgresWanted()) {
    project.provide('pgAdminUrl', '');
    return;
  }
  const started = Date.now();
  const cluster = await startThrowawayCluster();
  console.log(`[setup] PostgreSQL test cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('pgAdminUrl', cluster.adminUrl);
  return () => cluster.stop();
}
