// The stock wasm BatchMatMul runs XNNPACK only without transposition; with transposeA or transposeB
// (every matMul gradient: dW = x^T dy, dx = dy W^T) it falls back to a loop about 11x slower
// (2.2 against 25 GFLOP/s for 128x784x300). Transposing the operand first with the stock Transpose
// kernel and then multiplying is the fast path for all four cases. A single (unbatched) product then
// runs on @lab's FMA kernels where they are loaded: on one thread (or below the threading threshold)
// as heap/gemm.ts, which reads transposed operands in place and keeps the weight's packing between
// calls; above it, the same kernel on the kernel threads (heap/gemm-threads.ts).
import { BatchMatMul, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import { matrixGeometry } from '../heap/conv-geometry.js';
import { MIN_THREADED_MACS } from '../heap/conv-threads.js';
import { gemmSizes, heapGemm } from '../heap/gemm.js';
import { threadedGemm } from '../heap/gemm-threads.js';
import { heapConv2D, MIN_INPUT_CHANNELS } from './Conv2D.js';
import { type KernelArgs, Scratch, type WasmHeapBackend } from './kernel-utils.js';

const swapLast = (rank: number) => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];

/** A single product on heap/gemm.ts (on the kernel threads above the threshold), or null where it goes elsewhere (no FMA kernels, small K). */
function singleOnGemm(
  backend: WasmHeapBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo | null {
  const runtime = labRuntime(backend);
  const sizes = gemmSizes(a, b, transposeA, transposeB);
  if (!sizes || sizes.K < MIN_INPUT_CHANNELS || !runtime.heapKernelsFma()) return null;
  const { M, K, N } = sizes;
  const lead = (a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2);
  if (runtime.convThreads() && M * K * N >= MIN_THREADED_MACS)
    return threadedGemm(backend, a, b, { transposeA, transposeB }, [...lead, M, N]);
  return heapGemm(backend, a, b, { transposeA, transposeB, activation: 'linear' }, [...lead, M, N]);
}

/** Wraps the stock kernel (keeping its setupFunc, which binds the C++ function). */
export function fastBatchMatMul(stock: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, attrs, backend }: KernelArgs<'a' | 'b'>): TensorInfo => {
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const batch = (t: TensorInfo) => t.shape.slice(0, -2).reduce((x, d) => x * d, 1);
    const single = batch(inputs.a) === 1 && batch(inputs.b) === 1;
    if (!transposeA && !transposeB && !single)
      return stock.kernelFunc({ inputs, attrs: attrs as never, backend }) as TensorInfo;
    if (single) {
      const out = singleOnGemm(backend as WasmHeapBackend, inputs.a, inputs.b, transposeA, transposeB);
      if (out) return out;
    }
    const scratch = new Scratch(backend);
    try {
      const a = transposeA
        ? scratch.run('Transpose', { x: inputs.a }, { perm: swapLast(inputs.a.shape.length) })
        : inputs.a;
      const b = transposeB
        ? scratch.run('Transpose', { x: inputs.b }, { perm: swapLast(inputs.b.shape.length) })
        : inputs.b;
      if (single) {
        const [m, k] = a.shape.slice(-2) as [number, number];
        const n = b.shape[b.shape.length - 1]!;
        const lead = (a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2);
        const out = heapConv2D(backend as WasmHeapBackend, a, b, matrixGeometry(m, k, n), [...lead, m, n]);
        if (out) return out;
      }
      return stock.kernelFunc({
        inputs: { a, b },
        attrs: { ...attrs, transposeA: false, transposeB: false } as never,
        backend,
      }) as TensorInfo;
    } finally {
      scratch.dispose();
    }
  };
  return {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
