// Builds the live-session app (web/) into dist/: Preact through the JSX transform of Vite's own compiler, as the
// dashboard does. `app-server.ts` serves dist/ and /config.json.
import { defineConfig } from 'vite';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: join(here, 'web'),
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: join(here, 'dist'), emptyOutDir: true, target: 'es2022', sourcemap: false },
});
