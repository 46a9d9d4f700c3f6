// The page `--runtime chromium` opens, built into a directory: chromium-page.ts bundled by esbuild
// (with the workload code Node runs, not a copy), an index.html that loads it, and tfjs's .wasm
// binaries under wasm/ (the page's initBackend points its wasmPaths there).
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** apps/bench: this file runs from src/ (tests) or dist/ (the built bench), both one level below. */
const APP_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>@lab bench</title></head>
<body><script type="module" src="./page.js"></script></body>
</html>
`;

/** Bundles the page into `outDir` (created if missing). */
export async function bundleChromiumPage(outDir: string): Promise<void> {
  mkdirSync(join(outDir, 'wasm'), { recursive: true });
  await build({
    entryPoints: [join(APP_ROOT, 'src', 'chromium-page.ts')],
    outfile: join(outDir, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // the timings are of the same code Node runs: no minification needed, and messages stay readable
    minify: false,
    logLevel: 'silent',
    // tfjs-backend-wasm's Emscripten glue mentions Node modules behind runtime checks
    external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
  });
  writeFileSync(join(outDir, 'index.html'), INDEX_HTML);
  const require = createRequire(join(APP_ROOT, 'package.json'));
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')))
    copyFileSync(join(wasmDir, f), join(outDir, 'wasm', f));
}
