import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { labRuntime } from '../../runtime/lab-runtime.js';
import { relaxedSimdReachable } from '../../testing/index.js';
import { HEAP_KERNELS_FMA_WASM_BASE64, HEAP_KERNELS_WASM_BASE64 } from './heap.wasm.js';
import { sectionIds } from './heap-kernels.js';

describe('WASM SIMD kernels on the tfjs heap', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('the committed module matches a fresh clang build (skipped without clang)', () => {
    const script = fileURLToPath(new URL('../../../scripts/build-kernels.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  it.each([
    ['plain', HEAP_KERNELS_WASM_BASE64],
    ['FMA', HEAP_KERNELS_FMA_WASM_BASE64],
  ])('the %s build imports its memory and has no data segment', (_, base64) => {
    const bytes = Buffer.from(base64, 'base64');
    expect(sectionIds(bytes)).not.toContain(11);
    // the FMA build compiles where initBackend enabled relaxed SIMD (Node 20: V8's flag)
    if (base64 === HEAP_KERNELS_FMA_WASM_BASE64 && !relaxedSimdReachable()) return;
    const m = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(m)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });
  it('the FMA build is the one bound (relaxed SIMD reachable under Node)', () => {
    tf.setBackend('wasm');
    expect(labRuntime().heapKernelsFma()).toBe(relaxedSimdReachable());
  });
  it('bind to the wasm backend once and leave tensors around them intact', () => {
    tf.setBackend('wasm');
    const before = tf.tensor1d([1, 2, 3, 4, 5]);
    const k = labRuntime(tf.backend()).heapKernels();
    expect(k).not.toBeNull();
    expect(labRuntime(tf.backend()).heapKernels()).toBe(k);
    expect(labRuntime({}).heapKernels()).toBeNull(); // not a wasm backend
    // an Adam step on 7 values (SIMD body and scalar tail) through the registered kernel
    const g = tf.tensor1d([1, -2, 3, 0, 0.5, -0.25, 4]);
    const z = tf.zeros([7]);
    const [mu, nu, u] = tf.engine().runKernel(
      'LabAdamMoments',
      { g, mu: z, nu: z },
      {
        b1: 0.9,
        b2: 0.999,
        c1: 0.1,
        c2: 0.001,
        eps: 0,
      },
    ) as unknown as tf.Tensor[];
    const gs = g.dataSync();
    for (const [i, m] of mu!.dataSync().entries()) expect(m).toBeCloseTo(0.1 * gs[i]!, 6);
    // with bias correction the first step is sign(g) (0 where g is 0: 0 / 0 is NaN with eps 0)
    const us = u!.dataSync();
    for (const [i, x] of gs.entries()) {
      if (x === 0) expect(us[i]).toBeNaN();
      else expect(us[i]).toBeCloseTo(Math.sign(x), 4);
    }
    expect(nu!.dataSync()[1]).toBeCloseTo(0.001 * 4, 6);
    expect(Array.from(before.dataSync())).toEqual([1, 2, 3, 4, 5]);
    tf.dispose([before, g, z, mu!, nu!, u!]);
  });
});
