import { defineConfig } from 'tsup';

// The CLI is an application: ESM only, one file, with a shebang.
export default defineConfig({
  entry: { lab: 'src/lab.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
