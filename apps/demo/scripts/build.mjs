#!/usr/bin/env node
// Builds the demo page into dist/: the bundle (esbuild, as any bundler would consume the packages),
// index.html, tfjs's .wasm binaries under wasm/ (initBackend's wasmPaths points there) and the shipped
// EWT parser and tagger under models/en_ewt/.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(join(root, 'package.json'));

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'wasm'), { recursive: true });
mkdirSync(join(dist, 'models', 'en_ewt'), { recursive: true });
await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outfile: join(dist, 'main.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  // tfjs-backend-wasm's Emscripten glue mentions Node modules behind runtime checks
  external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
});
copyFileSync(join(root, 'index.html'), join(dist, 'index.html'));
const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
for (const f of readdirSync(join(wasmDir, 'dist')).filter((f) => f.endsWith('.wasm')))
  copyFileSync(join(wasmDir, 'dist', f), join(dist, 'wasm', f));
const modelDir = dirname(require.resolve('@lab/depparse/models/en_ewt/config.json'));
for (const f of readdirSync(modelDir).filter((f) => f !== 'training.json'))
  copyFileSync(join(modelDir, f), join(dist, 'models', 'en_ewt', f));
console.log(`built ${dist}`);
