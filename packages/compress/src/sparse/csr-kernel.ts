// Loader for the CSR WASM SIMD kernels (kernels/csr-matmul.c). Each instance has its own linear memory
// with a bump allocator, so a layer can keep its matrix resident and allocate its inputs and outputs
// above it for each call. The compiled module belongs to @lab/core's runtime object, so initBackend's
// `relaxedSimd` decides whether the FMA build is used.
import { type CompiledSimdKernels, type LabRuntime, labRuntime, type SimdKernelBuilds } from '@lab/core';
import type { CsrMatrix } from './csr.js';
import { CSR_MATMUL_FMA_WASM_BASE64, CSR_MATMUL_WASM_BASE64 } from './csr-kernel.wasm.js';

const CSR_BUILDS: SimdKernelBuilds = { plain: CSR_MATMUL_WASM_BASE64, fma: CSR_MATMUL_FMA_WASM_BASE64 };

function kernels(runtime: LabRuntime): CompiledSimdKernels | null {
  return runtime.simdKernels(CSR_BUILDS);
}

/** Whether this runtime runs the WASM SIMD CSR kernels (else the JavaScript reference is used). */
export function csrKernelSupported(runtime: LabRuntime = labRuntime()): boolean {
  return kernels(runtime) !== null;
}

/** Whether the CSR kernels use fused multiply-adds (relaxed SIMD). */
export function csrKernelFma(runtime: LabRuntime = labRuntime()): boolean {
  return kernels(runtime)?.fma ?? false;
}

/** A CSR matrix copied into a kernel's memory: byte offsets of its arrays. */
export interface ResidentCsr {
  rows: number;
  cols: number;
  rowPtr: number;
  colIndex: number;
  /** float32 values, or one-byte codes with `codebook`. */
  values: number;
  codebook: number;
  shared: boolean;
}

type Fn = (...args: number[]) => void;

export class CsrKernel {
  private readonly memory: WebAssembly.Memory;
  private readonly exports: Record<string, Fn>;
  private top: number;

  /** An instance, or null where the runtime has no WASM SIMD. */
  static create(runtime: LabRuntime = labRuntime()): CsrKernel | null {
    const k = kernels(runtime);
    return k ? new CsrKernel(k.module) : null;
  }

  private constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, {});
    this.memory = instance.exports.memory as WebAssembly.Memory;
    this.exports = instance.exports as unknown as Record<string, Fn>;
    this.top = align((instance.exports.__heap_base as WebAssembly.Global).value as number);
  }

  /** Reserves `bytes` bytes (16-byte aligned); returns the byte offset. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = align(at + bytes);
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    return at;
  }
  /** Copies a typed array in; returns its byte offset. */
  put(data: Float32Array | Int32Array | Uint8Array): number {
    const at = this.alloc(data.byteLength);
    new Uint8Array(this.memory.buffer, at, data.byteLength).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    return at;
  }
  f32(at: number, floats: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, floats);
  }
  /** The current top of the allocator, to `release` back to. */
  mark(): number {
    return this.top;
  }
  /** Frees everything allocated after `at` (a `mark()`). */
  release(at: number): void {
    this.top = at;
  }

  /** Copies a CSR matrix in. */
  putCsr(a: CsrMatrix): ResidentCsr {
    const rowPtr = this.put(a.rowPtr);
    const colIndex = this.put(a.colIndex);
    const e = a.entries;
    if (e.kind === 'float') {
      const values = this.put(e.values);
      return { rows: a.rows, cols: a.cols, rowPtr, colIndex, values, codebook: 0, shared: false };
    }
    const values = this.put(e.codes);
    const codebook = this.put(e.codebook.length ? e.codebook : new Float32Array(1));
    return { rows: a.rows, cols: a.cols, rowPtr, colIndex, values, codebook, shared: true };
  }

  /** c[rows, n] = a . b[cols, n] (+ bias per row; relu), all offsets in this kernel's memory (bias 0: none). */
  matmul(a: ResidentCsr, b: number, n: number, bias: number, relu: boolean, c: number): void {
    if (a.shared)
      this.exports.csr_matmul_shared!(
        a.rowPtr,
        a.colIndex,
        a.values,
        a.codebook,
        a.rows,
        b,
        n,
        bias,
        relu ? 1 : 0,
        c,
      );
    else this.exports.csr_matmul!(a.rowPtr, a.colIndex, a.values, a.rows, b, n, bias, relu ? 1 : 0, c);
  }

  /** y[cols, rows] = x[rows, cols]^T. */
  transpose(x: number, rows: number, cols: number, y: number): void {
    this.exports.transpose!(x, rows, cols, y);
  }
}

const align = (n: number) => (n + 15) & ~15;
