#!/usr/bin/env node
// Builds the demo page into dist/: the bundle (esbuild, as any bundler would consume the packages),
// index.html, tfjs's .wasm binaries under wasm/ (initBackend's wasmPaths points there) and the shipped
// EWT parser and tagger under models/en_ewt/, @lab/gan's Fashion-MNIST classifier under models/ and
// the first test images of Fashion-MNIST (from apps/cli/data, which ships them) under data/.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

// The size budget of what a visitor's browser may fetch: every file in dist/ except source maps (the
// page works offline once these are loaded). Stated in the README; the build fails above it.
// --budget-bytes N overrides it (to check the check).
const budgetAt = process.argv.indexOf('--budget-bytes');
const BUDGET_BYTES = budgetAt > 0 ? Number(process.argv[budgetAt + 1]) : 9 * 1024 * 1024;
if (!(BUDGET_BYTES > 0)) {
  console.error(`--budget-bytes: expected a positive number of bytes, got ${process.argv[budgetAt + 1]}`);
  process.exit(2);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(join(root, 'package.json'));

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'wasm'), { recursive: true });
mkdirSync(join(dist, 'models', 'en_ewt'), { recursive: true });
mkdirSync(join(dist, 'data'), { recursive: true });
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
const modelDir = dirname(require.resolve('@lab/depparse/models/en_ewt/vocab.json'));
for (const f of readdirSync(modelDir).filter((f) => f !== 'training.json'))
  copyFileSync(join(modelDir, f), join(dist, 'models', 'en_ewt', f));
copyFileSync(
  require.resolve('@lab/gan/assets/fashion-mnist-evaluator.safetensors'),
  join(dist, 'models', 'fashion-mnist-evaluator.safetensors'),
);
writeTestImages(join(root, '..', 'cli', 'data', 'fashion-mnist'), join(dist, 'data'), 60);
console.log(`built ${dist}`);
checkBudget(dist);

/** Prints the size of dist/ by part and exits non-zero when the shipped files exceed the budget. */
function checkBudget(dir) {
  const files = readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile());
  const shipped = files.filter((f) => !f.endsWith('.map'));
  const size = (fs) => fs.reduce((s, f) => s + statSync(f).size, 0);
  const mib = (b) => `${(b / 1024 / 1024).toFixed(2)} MiB`;
  const part = (prefix) => size(shipped.filter((f) => f.startsWith(join(dir, prefix))));
  const total = size(shipped);
  const gz = gzipSync(readFileSync(join(dir, 'main.js'))).length;
  console.log(
    `bundle: main.js ${mib(part('main.js'))} (${mib(gz)} gzipped), wasm/ ${mib(part('wasm'))}, ` +
      `models/ ${mib(part('models'))}, data/ ${mib(part('data'))}; ` +
      `shipped ${mib(total)} of a ${mib(BUDGET_BYTES)} budget (source maps, not counted: ${mib(size(files) - total)})`,
  );
  if (total > BUDGET_BYTES) {
    console.error(
      `dist/ is over its size budget: ${total} bytes > ${BUDGET_BYTES} (scripts/build.mjs BUDGET_BYTES)`,
    );
    process.exit(1);
  }
}

/** The first `count` test images (raw 28x28 grey bytes) and labels, out of the IDX files. */
function writeTestImages(from, to, count) {
  const idx = (name, magic, header) => {
    const bytes = gunzipSync(readFileSync(join(from, name)));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < header || view.getUint32(0) !== magic)
      throw new Error(`${join(from, name)}: not an IDX file (magic ${view.getUint32(0)}, expected ${magic})`);
    if (view.getUint32(4) < count) throw new Error(`${join(from, name)}: fewer than ${count} items`);
    return bytes.subarray(header);
  };
  const images = idx('t10k-images-idx3-ubyte.gz', 2051, 16).subarray(0, count * 784);
  const labels = idx('t10k-labels-idx1-ubyte.gz', 2049, 8).subarray(0, count);
  writeFileSync(join(to, 'fashion-mnist-test-images.bin'), images);
  writeFileSync(join(to, 'fashion-mnist-test-labels.bin'), labels);
}
