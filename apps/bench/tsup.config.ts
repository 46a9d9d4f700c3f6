import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { bench: 'src/bench.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
});
