// Builds the dashboard into dist/ (served by the hub at /): Preact through the JSX transform of Vite's own
// compiler (no plugin), file names with a content hash under assets/, no source maps, nothing loaded from a CDN.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/v1': { target: process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:7700', ws: true } } },
});
