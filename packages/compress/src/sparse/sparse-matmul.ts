// C = A . B for a CSR matrix A and a dense tfjs matrix B, on the WASM SIMD kernel where the runtime
// has one (a kernel instance per runtime, its memory reused by every call), else in JavaScript.
import { type LabRuntime, labRuntime } from '@lab/core';
import { type Tensor, type Tensor2D, tensor2d } from '@tensorflow/tfjs-core';
import { type CsrMatrix, checkCsr, csrMatMulReference } from './csr.js';
import { CsrKernel } from './csr-kernel.js';

const SHARED_KERNEL = Symbol.for('@lab/compress.csr-kernel');

/** The runtime's shared CSR kernel instance, or null without WASM SIMD. */
export function sharedCsrKernel(runtime: LabRuntime = labRuntime()): CsrKernel | null {
  return runtime.sharedObject(SHARED_KERNEL, () => CsrKernel.create(runtime));
}

export interface SparseMatMulOptions {
  /** Added to every entry of row r of the product (length: A's rows). */
  bias?: Float32Array;
  /** max(0, .) after the bias. */
  relu?: boolean;
  /** Force the JavaScript path (for comparison). Default: the kernel where available. */
  javascript?: boolean;
}

/** Checks that `b` is a [a.cols, n] matrix; returns n. */
function checkOperands(a: CsrMatrix, b: Tensor, bias: Float32Array | undefined): number {
  if (b.rank !== 2 || b.shape[0] !== a.cols)
    throw new RangeError(`sparseMatMul: B must be [${a.cols}, n], got [${b.shape.join(', ')}]`);
  if (bias && bias.length !== a.rows)
    throw new RangeError(`sparseMatMul: bias has ${bias.length} values for ${a.rows} rows`);
  return b.shape[1]!;
}

/** On Float32Arrays: c[a.rows, n] = a . b[a.cols, n] (+ bias, relu). */
export function sparseMatMulValues(
  a: CsrMatrix,
  b: Float32Array,
  n: number,
  { bias, relu = false, javascript = false }: SparseMatMulOptions = {},
): Float32Array {
  checkCsr(a, 'sparseMatMul: A');
  if (!Number.isInteger(n) || n < 0 || b.length !== a.cols * n)
    throw new RangeError(`sparseMatMul: B has ${b.length} values, not ${a.cols} x ${n}`);
  if (bias && bias.length !== a.rows)
    throw new RangeError(`sparseMatMul: bias has ${bias.length} values for ${a.rows} rows`);
  const kernel = javascript ? null : sharedCsrKernel();
  if (!kernel) return csrMatMulReference(a, b, n, bias, relu);
  const mark = kernel.mark();
  try {
    const resident = kernel.putCsr(a);
    const bAt = kernel.put(b);
    const biasAt = bias ? kernel.put(bias) : 0;
    const cAt = kernel.alloc(4 * a.rows * n);
    kernel.matmul(resident, bAt, n, biasAt, relu, cAt);
    return kernel.f32(cAt, a.rows * n).slice();
  } finally {
    kernel.release(mark);
  }
}

/** C[a.rows, n] = A . B[a.cols, n] (+ bias per row of A, then relu): the caller owns the result. */
export function sparseMatMul(a: CsrMatrix, b: Tensor, options: SparseMatMulOptions = {}): Tensor2D {
  const n = checkOperands(a, b, options.bias);
  const values = b.dtype === 'float32' ? (b.dataSync() as Float32Array) : Float32Array.from(b.dataSync());
  return tensor2d(sparseMatMulValues(a, values, n, options), [a.rows, n], 'float32');
}
