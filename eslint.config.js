// ESLint flat config. Besides typescript-eslint's recommended rules it keeps the process boundaries of
// STYLE.md true: each folder under src/ says where its code runs, and `no-restricted-imports` rejects an
// import across the wrong boundary. Relative imports are matched by what they climb to, e.g.
// `../../main/engine` from the renderer.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

/** Bans a bare specifier and its subpaths. */
const pkg = (names, message) => ({ group: names.flatMap((n) => [n, `${n}/*`]), message });
/** Bans relative imports that climb out of the current folder into one of `folders`. */
const climbInto = (folders, message) => ({ regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`, message });

const NODE = {
  group: ['node:*', ...nodeBuiltins.flatMap((m) => [m, `${m}/*`])],
  message: 'Node built-ins run only in src/main.',
};
const ELECTRON = pkg(['electron'], 'Electron APIs belong to src/main (and contextBridge to src/preload).');
const NATIVE = pkg(['onnxruntime-node', 'sharp', 'better-sqlite3'], 'Native modules load only in src/main.');
const REACT = pkg(['react', 'react-dom', 'zustand'], 'UI libraries belong to src/renderer.');

/**
 * Layers inside src/main import downwards only: app/cli → api → services → store/engine → vision.
 * Each entry lists the layers above it (store and engine are one level: neither is above the other).
 */
const MAIN_LAYERS = {
  vision: ['engine', 'store', 'services', 'sync', 'api', 'hub', 'app', 'cli'],
  engine: ['services', 'sync', 'api', 'hub', 'app', 'cli'],
  store: ['services', 'sync', 'api', 'hub', 'app', 'cli'],
  services: ['sync', 'api', 'hub', 'app', 'cli'],
  // A kiosk's side of the hub (replica, outbox, `hadir join`): over the store and the services' rules;
  // the API, the app and the CLI start it.
  sync: ['api', 'hub', 'app', 'cli'],
  // The hub (`hadir hub`) stands beside the API and reuses its HTTP pieces, so the API never imports it.
  api: ['hub', 'app', 'cli'],
  hub: ['app', 'cli'],
};
const MAIN_PATTERNS = [
  REACT,
  climbInto(['renderer', 'preload'], 'src/main must not import the renderer or the preload script.'),
];

const restrict = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default defineConfig(
  // Build outputs and local scratch space (.scratch/ is excluded from git, not from ESLint's view).
  globalIgnores(['out/', 'dist/', 'coverage/', 'test-results/', 'e2e/artifacts/', 'bench/results/', '.scratch/']),
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['src/renderer/**/*', 'src/admin/**/*'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // Where code runs.
  restrict(
    ['src/shared/**/*'],
    [
      NODE,
      ELECTRON,
      NATIVE,
      REACT,
      climbInto(['main', 'preload', 'renderer'], 'src/shared is imported by every process; it imports none of them.'),
    ],
  ),
  {
    files: ['src/shared/**/*'],
    ignores: ['src/shared/**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'HTMLElement'].map(
          (name) => ({ name, message: 'src/shared must not depend on the DOM.' }),
        ),
        ...['process', 'Buffer', 'global', '__dirname', '__filename', 'require'].map((name) => ({
          name,
          message: 'src/shared must not depend on Node.',
        })),
      ],
    },
  },
  restrict(
    ['src/renderer/**/*'],
    [NODE, ELECTRON, NATIVE, climbInto(['main', 'preload'], 'The renderer reaches main only through window.hadir.')],
  ),
  // The hub's web console runs in any browser: no Node, no Electron, and the hub's code only through
  // src/shared (the API contract). It may reuse the kiosk renderer's browser-only helpers (lib/).
  restrict(
    ['src/admin/**/*'],
    [NODE, ELECTRON, NATIVE, climbInto(['main', 'preload'], 'The console reaches the hub only over HTTP.')],
  ),
  restrict(
    ['src/preload/**/*'],
    [
      // A sandboxed preload may require only `electron` (and is bundled into one file).
      NODE,
      NATIVE,
      REACT,
      climbInto(['main', 'renderer'], 'The preload script shares code with main only through src/shared.'),
    ],
  ),
  restrict(['src/main/**/*'], MAIN_PATTERNS),
  ...Object.entries(MAIN_LAYERS).map(([layer, above]) =>
    restrict(
      [`src/main/${layer}/**/*`],
      [...MAIN_PATTERNS, climbInto(above, `src/main/${layer} imports downwards only (not ${above.join(', ')}).`)],
    ),
  ),
);
