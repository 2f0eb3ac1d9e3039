import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests use the real models; they sit in ../shared/models beside the repository unless told otherwise.
process.env.HADIR_MODELS_DIR ??= fileURLToPath(new URL('../shared/models', import.meta.url));
// The data key that seals templates (store/data-key-file.ts) is a per-user file outside the data folder;
// tests and the CLIs they start share one in the temp folder instead of the user's own.
process.env.HADIR_DATA_KEY_FILE ??= path.join(os.tmpdir(), `hadir-test-keys-${os.userInfo().uid}`, 'data.key');

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'e2e/**/*.test.ts'],
    environment: 'node',
    // Tests load ONNX models and run real inference: generous limits, and model loading in hooks.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Child processes rather than worker threads: onnxruntime-node, sharp and better-sqlite3 are native
    // addons, which are safest with one addon instance per process. Two workers for two cores; each
    // ONNX session has its own intra-op threads, so more workers would only contend.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './scripts/summary-reporter.ts'],
    // The model-heavy analysis of the test photos runs once per run and is shared (inject('analysisJsonl')).
    // One PostgreSQL server per run for the hub's tests (inject('pgAdminUrl')); each file makes its own database.
    // The compiled CLI is brought up to date first: the analysis and the CLI tests run bin/hadir.mjs.
    globalSetup: [
      './src/main/testing/cli-build-setup.ts',
      './src/main/testing/analysis-setup.ts',
      './src/main/testing/postgres-setup.ts',
    ],
  },
});
