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
// 10.5 MiB since the Fashion-MNIST GAN, fine-tuning and compression pages (README, "Size budget").
const BUDGET_BYTES = budgetAt > 0 ? Number(process.argv[budgetAt + 1]) : 10.5 * 1024 * 1024;
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
// two entries, the page and the GAN's Web Worker (a module worker), sharing their common code
// (tfjs, @lab's packages) through chunks instead of shipping it twice
await build({
  entryPoints: [join(root, 'src', 'main.ts'), join(root, 'src', 'gan-worker.ts')],
  outdir: dist,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
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
const fashion = join(root, '..', 'cli', 'data', 'fashion-mnist');
writeTestImages(fashion, join(dist, 'data'), 60);
// the GAN's training images and the fine-tuning page's task-B images: the first 3,000 test images
writeImageSet(fashion, join(dist, 'data', 'fashion-mnist-3000'), 3000);
// made once by scripts/pretrain-finetune-body.mjs, train-lenet300.mjs and cut-mnist-subsets.mjs (README)
const assets = join(root, 'assets');
copyFileSync(
  join(assets, 'finetune-task-a.safetensors'),
  join(dist, 'models', 'finetune-task-a.safetensors'),
);
copyFileSync(join(assets, 'lenet-300-100.ldcf'), join(dist, 'models', 'lenet-300-100.ldcf'));
for (const f of [
  'mnist-test-1000-images.bin.gz',
  'mnist-test-1000-labels.bin',
  'mnist-train-2000-images.bin.gz',
  'mnist-train-2000-labels.bin',
])
  copyFileSync(join(assets, f), join(dist, 'data', f));
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
  const scripts = shipped.filter((f) => f.endsWith('.js'));
  const gz = scripts.reduce((s, f) => s + gzipSync(readFileSync(f)).length, 0);
  console.log(
    `bundle: JavaScript ${mib(size(scripts))} (${mib(gz)} gzipped: main.js, gan-worker.js, chunks/), ` +
      `wasm/ ${mib(part('wasm'))}, ` +
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

/** The first `count` test images and labels, out of the IDX files. */
function readTestImages(from, count) {
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
  return { images, labels };
}

/** The first `count` test images (raw 28x28 grey bytes) and labels, uncompressed. */
function writeTestImages(from, to, count) {
  const { images, labels } = readTestImages(from, count);
  writeFileSync(join(to, 'fashion-mnist-test-images.bin'), images);
  writeFileSync(join(to, 'fashion-mnist-test-labels.bin'), labels);
}

/** `<base>-images.bin.gz` (gzip: the page inflates it with DecompressionStream) and `<base>-labels.bin`. */
function writeImageSet(from, base, count) {
  const { images, labels } = readTestImages(from, count);
  writeFileSync(`${base}-images.bin.gz`, gzipSync(images, { level: 9 }));
  writeFileSync(`${base}-labels.bin`, labels);
}
