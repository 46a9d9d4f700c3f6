// The stock wasm BatchMatMul runs XNNPACK only without transposition; with transposeA or transposeB
// (every matMul gradient: dW = x^T dy, dx = dy W^T) it falls back to a loop about 11x slower
// (2.2 against 25 GFLOP/s for 128x784x300). Transposing the operand first with the stock Transpose
// kernel and then multiplying is the fast path for all four cases.
import { BatchMatMul, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelArgs, Scratch } from './kernel-utils.js';

const swapLast = (rank: number) => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];

/** Wraps the stock kernel (keeping its setupFunc, which binds the C++ function). */
export function fastBatchMatMul(stock: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, attrs, backend }: KernelArgs<'a' | 'b'>): TensorInfo => {
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB)
      return stock.kernelFunc({ inputs, attrs: attrs as never, backend }) as TensorInfo;
    const scratch = new Scratch(backend);
    try {
      const a = transposeA
        ? scratch.run('Transpose', { x: inputs.a }, { perm: swapLast(inputs.a.shape.length) })
        : inputs.a;
      const b = transposeB
        ? scratch.run('Transpose', { x: inputs.b }, { perm: swapLast(inputs.b.shape.length) })
        : inputs.b;
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
