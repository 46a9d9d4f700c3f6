// Loader for the table-sum WASM SIMD kernel (kernels/table-sum.c): one instance per scorer, with its
// own linear memory holding the precomputed tables, the per-row offsets and the output. The compiled
// module belongs to @lab/core's runtime object (labRuntime: the current backend's, by default), so
// initBackend's `relaxedSimd` decides its build each time it is called.
import { type CompiledSimdKernels, type LabRuntime, labRuntime, type SimdKernelBuilds } from '@lab/core';
import { TABLE_SUM_FMA_WASM_BASE64, TABLE_SUM_WASM_BASE64 } from './table-sum.wasm.js';

const TABLE_SUM_BUILDS: SimdKernelBuilds = { plain: TABLE_SUM_WASM_BASE64, fma: TABLE_SUM_FMA_WASM_BASE64 };
/** Key of the instance that a runtime shares between callers (sharedTableSumKernel). */
const SHARED_KERNEL = Symbol.for('@lab/depparse.table-sum-kernel');

/** The FMA build where relaxed SIMD is available and allowed (initBackend), else the plain one. */
function kernels(runtime: LabRuntime): CompiledSimdKernels | null {
  return runtime.simdKernels(TABLE_SUM_BUILDS);
}

/** Whether this runtime runs WASM SIMD (Node 16.4+, current browsers). */
export function wasmSimdSupported(runtime: LabRuntime = labRuntime()): boolean {
  return kernels(runtime) !== null;
}

/** Whether the kernels use fused multiply-adds (relaxed SIMD). */
export function tableSumFma(runtime: LabRuntime = labRuntime()): boolean {
  return kernels(runtime)?.fma ?? false;
}

/** One kernel instance per runtime for callers that allocate and release around each call, or null without SIMD. */
export function sharedTableSumKernel(runtime: LabRuntime = labRuntime()): TableSumKernel | null {
  return runtime.sharedObject(SHARED_KERNEL, () =>
    wasmSimdSupported(runtime) ? new TableSumKernel(runtime) : null,
  );
}

export class TableSumKernel {
  private readonly memory: WebAssembly.Memory;
  private readonly fn: (...args: number[]) => void;
  private readonly exports: Record<string, (...args: number[]) => void>;
  private top: number;

  constructor(runtime: LabRuntime = labRuntime()) {
    const k = kernels(runtime);
    if (!k) throw new Error('@lab/depparse: this runtime has no WASM SIMD for the table-sum kernel');
    const instance = new WebAssembly.Instance(k.module, {});
    this.memory = instance.exports.memory as WebAssembly.Memory;
    this.exports = instance.exports as unknown as Record<string, (...args: number[]) => void>;
    this.fn = this.exports.table_sum!;
    this.top = align((instance.exports.__heap_base as WebAssembly.Global).value as number);
  }

  /** Reserves `floats` 4-byte slots (16-byte aligned); returns the byte offset. */
  alloc(floats: number): number {
    const at = this.top;
    this.top = align(at + 4 * floats);
    const need = this.top - this.memory.buffer.byteLength;
    // at least 16 MB at a time: lazily built rows allocate in small steps, and each grow detaches the
    // buffer (untouched pages cost nothing until they are written)
    if (need > 0) this.memory.grow(Math.max(Math.ceil(need / 65536), GROW_PAGES));
    return at;
  }
  /** Allocates room for `data` and copies it in; returns the byte offset. */
  put(data: Float32Array): number {
    const at = this.alloc(data.length);
    this.f32(at, data.length).set(data);
    return at;
  }
  f32(at: number, floats: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, floats);
  }
  i32(at: number, count: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, count);
  }
  /** out[r] = bias + sum over k of the table rows at float offsets offsets[r * perRow + k]. */
  run(
    table: number,
    offsets: number,
    rows: number,
    perRow: number,
    h: number,
    bias: number,
    out: number,
  ): void {
    this.fn(table, offsets, rows, perRow, h, bias, out);
  }
  /** out[row] += emb[id] . w1[position block] for each (row, position, id) triple at `items`. */
  rareRows(w1: number, emb: number, items: number, count: number, dim: number, h: number, out: number): void {
    this.exports.rare_rows!(w1, emb, items, count, dim, h, out);
  }
  /**
   * Table rows from nothing: the h floats at float offset items[3i] from `table` = emb[items[3i + 2]]
   * . w1[position items[3i + 1]'s block], bitwise what tfjs's matMul gives.
   */
  tableRows(
    w1: number,
    emb: number,
    items: number,
    count: number,
    dim: number,
    h: number,
    table: number,
  ): void {
    this.exports.table_rows!(w1, emb, items, count, dim, h, table);
  }
  /** grad[offsets[r * perRow + k] + j] += dy[r * h + j]: the table gradient of `run` (h a multiple of 4). */
  scatter(dy: number, offsets: number, rows: number, perRow: number, h: number, grad: number): void {
    this.exports.table_scatter!(dy, offsets, rows, perRow, h, grad);
  }
  /** y[rows, outPad] += x[rows, inF] . w[inF, outPad] (outPad a multiple of 4): a convolution tap. */
  denseAdd(x: number, w: number, rows: number, inF: number, outPad: number, y: number): void {
    this.exports.dense_add!(x, w, rows, inF, outPad, y);
  }
  /** Frees everything allocated after `at` (an offset returned by `alloc`). */
  release(at: number): void {
    this.top = at;
  }
  /** In place: 'cube' or 'relu'. */
  activate(x: number, n: number, kind: 'cube' | 'relu'): void {
    this.exports.activate!(x, n, kind === 'cube' ? 0 : 1);
  }
  /** y[rows, outPad] = x[rows, inF] . w[inF, outPad] + b (outPad a multiple of 4; padding columns zero). */
  dense(x: number, w: number, b: number, rows: number, inF: number, outPad: number, y: number): void {
    this.exports.dense!(x, w, b, rows, inF, outPad, y);
  }
}

const align = (n: number) => (n + 15) & ~15;
/** Pages (64 KB) that memory grows by at least. */
const GROW_PAGES = 256;
