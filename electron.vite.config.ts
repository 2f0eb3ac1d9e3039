import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// Native modules are loaded from node_modules at run time (unpacked from the asar by electron-builder):
// bundling them would break their .node binaries and the files they find beside them.
const NATIVE_MODULES = ['onnxruntime-node', 'sharp', 'better-sqlite3'];

export default defineConfig({
  main: {
    build: {
      // Every package in "dependencies" stays external; the native ones are listed again so that they
      // stay external even if someone narrows externalizeDeps later.
      externalizeDeps: true,
      rolldownOptions: {
        // The inference worker is its own entry: worker_threads load it by path (engine/worker-entry.ts).
        input: { index: resolve('src/main/index.ts'), 'inference-worker': resolve('src/main/engine/worker.ts') },
        external: NATIVE_MODULES,
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require anything but `electron`, and cannot be an ES module:
      // bundle everything into one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    build: {
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
