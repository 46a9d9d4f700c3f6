#!/usr/bin/env node
// Proves that every package installs and works on its own, outside the workspace:
//   1. publint --strict and attw --pack on each package (already built by turbo);
//   2. pnpm pack each one (workspace:^ ranges become real versions);
//   3. npm-install the tarballs into a fresh temporary project (no workspace links);
//   4. there, under plain node, once as ESM and once as CJS: import every package, initialise the
//      WASM backend and take one gradient step on a small conv net.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpm = [process.execPath, join(root, 'scripts', 'pnpm.mjs')];
const keep = process.argv.includes('--keep');

function run(cmd, args, cwd, quiet = false) {
  try {
    return execFileSync(cmd, args, { cwd, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  } catch (error) {
    if (quiet) process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}`);
    throw new Error(`failed: ${cmd} ${args.join(' ')} (in ${cwd})`);
  }
}

const packagesDir = join(root, 'packages');
const packages = readdirSync(packagesDir)
  .map((d) => join(packagesDir, d))
  .filter((d) => {
    try {
      return !JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).private;
    } catch {
      return false;
    }
  });

const work = mkdtempSync(join(tmpdir(), 'lab-check-packages-'));
const tarballs = join(work, 'tarballs');
const names = [];
try {
  for (const dir of packages) {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    names.push(name);
    console.log(`\n== ${name}: publint --strict, attw --pack`);
    run(...pnpm.slice(0, 1), [...pnpm.slice(1), 'run', '--silent', 'check:package'], dir);
    run(...pnpm.slice(0, 1), [...pnpm.slice(1), 'pack', '--pack-destination', tarballs], dir, true);
  }
  const project = join(work, 'project');
  run('mkdir', ['-p', project], work);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'lab-install-check', private: true }, null, 2),
  );
  const tgz = readdirSync(tarballs).map((f) => join(tarballs, f));
  console.log(`\n== npm install of ${tgz.length} tarballs into ${project}`);
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tgz,
      '@tensorflow/tfjs-core@4.22.0',
      '@tensorflow/tfjs-backend-wasm@4.22.0',
      '@tensorflow/tfjs-backend-cpu@4.22.0',
    ],
    project,
  );

  const body = (imp) => `
${imp}
const step = async () => {
  const report = await core.initBackend({ backend: 'wasm', fallback: false });
  if (report.backend !== 'wasm') throw new Error('wasm backend did not start');
  // relaxed SIMD is reachable in every Node with process.getBuiltinModule (20.16+)
  if (typeof process.getBuiltinModule === 'function' && !report.fma) throw new Error('the FMA kernels did not load');
  const before = tf.memory().numTensors;
  const variable = (init) => {
    const v = tf.variable(init);
    init.dispose(); // tf.variable copies the reference, the initial tensor stays alive otherwise
    return v;
  };
  const w1 = variable(tf.randomNormal([3, 3, 1, 4], 0, 0.3, 'float32', 1));
  const w2 = variable(tf.randomNormal([3, 3, 2, 4], 0, 0.3, 'float32', 2));
  const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 3);
  const loss = () => {
    const h = tf.leakyRelu(tf.conv2d(x, w1, 2, 'same'), 0.2);
    const y = tf.conv2dTranspose(h, w2, [2, 8, 8, 2], 2, 'same');
    return tf.mean(tf.square(tf.sub(y, 0.5)));
  };
  const l0 = tf.tidy(() => loss().dataSync()[0]);
  const { value, grads } = tf.variableGrads(loss);
  value.dispose();
  for (const v of [w1, w2]) {
    const next = tf.tidy(() => tf.sub(v, tf.mul(0.1, grads[v.name])));
    v.assign(next);
    next.dispose();
  }
  tf.dispose(Object.values(grads));
  const l1 = tf.tidy(() => loss().dataSync()[0]);
  tf.dispose([w1, w2, x]);
  if (!(l1 < l0)) throw new Error('gradient step did not reduce the loss: ' + l0 + ' -> ' + l1);
  if (tf.memory().numTensors !== before) throw new Error('tensors leaked: ' + (tf.memory().numTensors - before));
  const checks = await crossBackend();
  return { backend: report.backend, simd: report.simd, fma: report.fma, lossBefore: l0, lossAfter: l1, checks, packages: Object.keys(labs) };
};

// The kernels and gradients @lab/core registers, on wasm against cpu, under plain node: first and
// second derivatives through conv2d, conv2dTranspose (odd sizes, stride 2), leakyRelu, tanh, gather
// and transposed matMul.
async function crossBackend() {
  const results = {};
  for (const backend of ['cpu', 'wasm']) {
    await core.initBackend({ backend, fallback: false });
    const r = (shape, seed) => tf.randomUniform(shape, -1, 1, 'float32', seed);
    results[backend] = tf.tidy(() => {
      const x = r([3, 9, 7, 2], 1);
      const w1 = r([3, 3, 2, 4], 2);
      const w2 = r([5, 5, 3, 4], 3);
      const table = r([6, 5], 4);
      const m = r([4, 5], 5);
      const critic = (xx, a, b) =>
        tf.sum(tf.tanh(tf.conv2dTranspose(tf.leakyRelu(tf.conv2d(xx, a, 2, 'same'), 0.2), b, [3, 9, 7, 3], 2, 'same')), [1, 2, 3]);
      const penalty = (a, b) => {
        const g = tf.grad((xx) => tf.sum(critic(xx, a, b)))(x);
        return tf.mean(tf.square(tf.sub(tf.sqrt(tf.sum(tf.square(tf.reshape(g, [3, -1])), 1)), 1)));
      };
      const second = tf.grads(penalty)([w1, w2]);
      const embed = tf.grad((t) => tf.sum(tf.square(tf.gather(t, tf.tensor1d([1, 4, 1, 5], 'int32')))))(table);
      const mm = tf.grad((a) => tf.sum(tf.square(tf.matMul(a, m, false, true))))(r([3, 5], 6));
      // 8+ channels: the FMA convolution kernel (forward, both gradients) and a wide matMul
      const wx = r([2, 9, 7, 9], 7);
      const ww = r([3, 3, 9, 12], 8);
      const [dwx, dww] = tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a, b, [2, 1], 'same'))))([wx, ww]);
      const wide = tf.matMul(r([13, 9], 9), r([9, 21], 10));
      return [...second, embed, mm, dwx, dww, wide].map((t) => Array.from(t.dataSync()));
    });
  }
  const names = [
    'd2/dw1 penalty',
    'd2/dw2 penalty',
    'gather grad',
    'matMul^T grad',
    'wide conv dx',
    'wide conv dw',
    'wide matMul',
  ];
  const errors = {};
  names.forEach((n, i) => {
    const e = testing.maxRelativeError(results.wasm[i], results.cpu[i]);
    if (!(e < 1e-4)) throw new Error(n + ': wasm and cpu differ by ' + e);
    errors[n] = Number(e.toExponential(2));
  });
  await core.initBackend({ backend: 'wasm', fallback: false });
  return errors;
}
`;
  const list = JSON.stringify(names);
  writeFileSync(
    join(project, 'smoke.mjs'),
    `${body(`import * as tf from '@tensorflow/tfjs-core';\nimport * as core from '@lab/core';\nimport * as testing from '@lab/core/testing';\nconst labs = {};\nfor (const n of ${list}) labs[n] = Object.keys(await import(n)).length;`)}
const r = await step();
console.log('ESM', JSON.stringify(r));
`,
  );
  writeFileSync(
    join(project, 'smoke.cjs'),
    `${body(`const tf = require('@tensorflow/tfjs-core');\nconst core = require('@lab/core');\nconst testing = require('@lab/core/testing');\nconst labs = {};\nfor (const n of ${list}) labs[n] = Object.keys(require(n)).length;`)}
step().then((r) => console.log('CJS', JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });
`,
  );
  for (const file of ['smoke.mjs', 'smoke.cjs']) {
    const out = run(process.execPath, [file], project, true);
    const line = out.split('\n').find((l) => l.startsWith('ESM') || l.startsWith('CJS'));
    if (!line) throw new Error(`${file} printed no result`);
    const result = JSON.parse(line.slice(4));
    for (const n of names) if (!result.packages.includes(n)) throw new Error(`${file}: ${n} did not load`);
    console.log(`${file}: ${line}`);
  }
  // relaxedSimd: false keeps V8's flags and XNNPACK: the FMA build is not bound, results still agree
  writeFileSync(
    join(project, 'plain.mjs'),
    `import * as tf from '@tensorflow/tfjs-core';
import * as core from '@lab/core';
import * as testing from '@lab/core/testing';
const conv = () => tf.tidy(() => Array.from(tf.conv2d(tf.randomUniform([2, 9, 7, 9], -1, 1, 'float32', 1), tf.randomUniform([3, 3, 9, 12], -1, 1, 'float32', 2), 2, 'same').dataSync()));
await core.initBackend({ backend: 'cpu' });
const cpu = conv();
const report = await core.initBackend({ backend: 'wasm', relaxedSimd: false, fallback: false });
if (report.fma || !report.heapKernels) throw new Error('relaxedSimd: false: ' + JSON.stringify(report));
const e = testing.maxRelativeError(conv(), cpu);
if (!(e < 1e-4)) throw new Error('relaxedSimd: false: wasm and cpu differ by ' + e);
console.log('plain.mjs: relaxedSimd false: fma', report.fma, 'conv error', e.toExponential(2));
`,
  );
  console.log(run(process.execPath, ['plain.mjs'], project, true).trim());
  console.log(
    '\ncheck:packages: all packages pass publint/attw and work from their tarballs under plain node (ESM and CJS)',
  );
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
