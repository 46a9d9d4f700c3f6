import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConvThreads } from '../kernels/heap/conv-threads.js';
import { HEAP_KERNEL_BUILDS } from '../kernels/heap/heap-kernels.js';
import { maxRelativeError, seededTensor as rand, relaxedSimdReachable } from '../testing/index.js';
import { initBackend } from './init.js';
import { installRuntime, LabRuntime, labRuntime } from './lab-runtime.js';

// Two runtime configurations in one process: each initBackend call with other options must change
// what the kernels read (the FMA build, @lab's kernel threads), not only what the report says.

/** A convolution big enough to be split between threads (>= 2e6 multiply-adds), with 24 input channels. */
function bigConv(): Float32Array {
  return tf.tidy(() =>
    tf
      .conv2d(rand([5, 15, 13, 24], 61) as tf.Tensor4D, rand([3, 3, 24, 40], 62) as tf.Tensor4D, 1, 'same')
      .dataSync(),
  ) as Float32Array;
}

async function convOnCpu(): Promise<Float32Array> {
  tf.setBackend('cpu');
  const y = bigConv();
  tf.setBackend('wasm');
  return y;
}

describe('the runtime object initBackend builds', () => {
  let cpu: Float32Array;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    cpu = await convOnCpu();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false }); // the defaults, for later files in this worker
  });

  it('FMA off then on: the kernels switch builds, and the results stay those of cpu', async () => {
    const off = await initBackend({ backend: 'wasm', fallback: false, relaxedSimd: false });
    const first = labRuntime();
    expect(off.fma).toBe(false);
    expect(first.options).toEqual({ relaxedSimd: false, threads: 1 });
    expect(first.simdKernels(HEAP_KERNEL_BUILDS)?.fma).toBe(false);
    expect(first.heapKernels()).not.toBeNull(); // the plain build is bound
    expect(first.heapKernelsFma()).toBe(false);
    const yOff = bigConv(); // the stock XNNPACK kernel (ours needs FMA)
    expect(maxRelativeError(yOff, cpu)).toBeLessThan(1e-4);

    const on = await initBackend({ backend: 'wasm', fallback: false, relaxedSimd: true });
    const second = labRuntime();
    expect(second).not.toBe(first);
    expect(first.isDisposed()).toBe(true);
    expect(first.heapKernels()).toBeNull(); // its stack was freed with it
    expect(on.fma).toBe(relaxedSimdReachable());
    expect(second.simdKernels(HEAP_KERNEL_BUILDS)?.fma).toBe(relaxedSimdReachable());
    const yOn = bigConv();
    expect(maxRelativeError(yOn, cpu)).toBeLessThan(1e-4);
    // @lab's FMA kernel rounds differently from XNNPACK: the re-initialisation changed the kernel run
    if (relaxedSimdReachable()) expect(Array.from(yOn)).not.toEqual(Array.from(yOff));

    // and back: nothing of the first call sticks
    expect((await initBackend({ backend: 'wasm', fallback: false, relaxedSimd: false })).fma).toBe(false);
    expect(Array.from(bigConv())).toEqual(Array.from(yOff));
  });

  it.skipIf(!relaxedSimdReachable())(
    'threads 1 then 2: the pool is started and used, then stopped, with identical results',
    async () => {
      const split = vi.spyOn(ConvThreads.prototype, 'conv2d');
      expect((await initBackend({ backend: 'wasm', fallback: false, threads: 1 })).threads).toBe(1);
      expect(labRuntime().convThreads()).toBeNull();
      const one = bigConv();
      expect(split).not.toHaveBeenCalled();

      expect((await initBackend({ backend: 'wasm', fallback: false, threads: 2 })).threads).toBe(2);
      const pool = labRuntime().convThreads();
      expect(pool?.threads).toBe(2);
      const two = bigConv();
      expect(split).toHaveBeenCalledTimes(1);
      // each output row is summed by one thread in the same order: bit for bit the same
      expect(Array.from(two)).toEqual(Array.from(one));
      expect(maxRelativeError(two, cpu)).toBeLessThan(1e-4);

      expect((await initBackend({ backend: 'wasm', fallback: false, threads: 1 })).threads).toBe(1);
      expect(pool?.running).toBe(false); // the replaced runtime stopped its workers
      bigConv();
      expect(split).toHaveBeenCalledTimes(1);
    },
  );

  it('the same options keep the same runtime (nothing recompiled or restarted)', async () => {
    await initBackend({ backend: 'wasm', fallback: false, relaxedSimd: true, threads: 1 });
    const runtime = labRuntime();
    const compiled = runtime.simdKernels(HEAP_KERNEL_BUILDS);
    await initBackend({ backend: 'wasm', fallback: false, relaxedSimd: true, threads: 1 });
    expect(labRuntime()).toBe(runtime);
    expect(runtime.simdKernels(HEAP_KERNEL_BUILDS)).toBe(compiled);
  });

  it('each backend has its own runtime', async () => {
    await initBackend({ backend: 'cpu', relaxedSimd: false });
    await initBackend({ backend: 'wasm', fallback: false, relaxedSimd: true });
    const wasmRuntime = labRuntime(tf.engine().findBackend('wasm')!);
    const cpuRuntime = labRuntime(tf.engine().findBackend('cpu')!);
    expect(labRuntime()).toBe(wasmRuntime);
    expect(cpuRuntime).not.toBe(wasmRuntime);
    expect(cpuRuntime.options.relaxedSimd).toBe(false);
    expect(wasmRuntime.options.relaxedSimd).toBe(true);
    expect(cpuRuntime.heapKernels()).toBeNull(); // the cpu backend has no WebAssembly memory
  });

  it('a backend initBackend never saw gets the defaults; scratch memory is reused', () => {
    const backend = {};
    const runtime = labRuntime(backend);
    expect(runtime.options).toEqual({ relaxedSimd: true, threads: 1 });
    expect(labRuntime(backend)).toBe(runtime);
    const a = runtime.scratchFloats(8);
    expect(runtime.scratchFloats(4).buffer).toBe(a.buffer);
    expect(runtime.scratchFloats(4)).toHaveLength(4);
    expect(runtime.sharedObject(Symbol.for('test.key'), () => ({ made: 1 }))).toBe(
      runtime.sharedObject(Symbol.for('test.key'), () => ({ made: 2 })),
    );
    const replaced = installRuntime(backend, { relaxedSimd: false, threads: 1 });
    expect(runtime.isDisposed()).toBe(true);
    expect(labRuntime(backend)).toBe(replaced);
  });

  it('refuses bad options with a typed error naming the option', async () => {
    expect(() => new LabRuntime({}, { threads: 0 })).toThrow(/threads must be a positive integer/);
    expect(() => new LabRuntime({}, { relaxedSimd: 'yes' as unknown as boolean })).toThrow(TypeError);
    await expect(initBackend({ relaxedSimd: 1 as unknown as boolean })).rejects.toThrow(
      /initBackend: relaxedSimd must be a boolean/,
    );
  });
});
