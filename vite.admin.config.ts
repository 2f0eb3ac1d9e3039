import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The hub admin console: a page of its own, served by `hadir hub serve` under /admin/ from out/admin.
export default defineConfig({
  root: resolve('src/admin'),
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: resolve('out/admin'),
    emptyOutDir: true,
    // ECharts makes the page about 0.9 MB (0.3 MB compressed), loaded once from the hub on the office
    // network and then cached: not worth a warning in every `npm install`.
    chunkSizeWarningLimit: 1200,
  },
});
