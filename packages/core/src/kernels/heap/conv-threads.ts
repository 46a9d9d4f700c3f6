// @lab's own kernel threads in Node. tfjs's threaded WASM build cannot start in Node (its workers load
// from a blob URL), and the memory of its single-threaded build is not shared, so no other thread can
// work on tensors where they live. Instead, a convolution big enough to pay for it is copied into a
// shared WebAssembly memory that every thread has bound the FMA kernel module to; the output rows are
// split between the calling thread and the workers, which wait on an Atomics control block, and the
// result is copied back. The copies cost about 1-2 ms for W1's largest layer, whose arithmetic takes
// ~36 ms on one thread; a tensor read by consecutive calls is copied once (shared-arena.ts). The
// threads also make a filter gradient's transposed and packed operands where x and dy already are,
// and sum a resident tensor over its leading axes or take batch norm's mean and variance of it
// (a convolution's output), split by columns, which gives the same bits as one thread. They also run
// single matrix products (gemm-threads.ts) and lay out the patches of a convolution with few input
// channels as rows (im2col) before multiplying them, both split by output rows. A pool belongs to the runtime
// object initBackend builds (runtime/lab-runtime.ts), which stops it when it is replaced.
import { nodeBuiltin } from '../../runtime/node-builtin.js';
import { decodeBase64 } from '../simd-module.js';
import {
  type ConvGeometry,
  convKernelArgs,
  im2colArgs,
  im2colGeometry,
  packedFloats,
} from './conv-geometry.js';
import { HEAP_KERNELS_FMA_SHARED_WASM_BASE64 } from './heap.wasm.js';
import { type ResidentKey, SharedArena } from './shared-arena.js';

const MAX_PAGES = 32768; // the module declares 2 GiB at most
const STACK_BYTES = 65536; // one WebAssembly page
/**
 * Control block (Int32): sequence number, finished workers, failed workers, the kernel (an index of
 * KERNELS), the number of Int32 arguments, the arguments, each thread's range; then the Float64
 * arguments (8-byte aligned).
 */
const SEQ = 0;
const DONE = 1;
const FAILED = 2;
const KIND = 3;
const ARGC = 4;
/** Workers that have instantiated the module and wait for calls. */
const READY = 5;
const ARGS = 6;
const ARG_COUNT = 20;
const RANGES = ARGS + ARG_COUNT;
const REAL_COUNT = 1;
/**
 * The kernels a worker runs, by index: each takes its Int32 arguments, then `reals` Float64 ones,
 * then the thread's range [begin, end).
 */
const KERNELS = [
  { name: 'conv2d_nhwc', reals: 0 },
  { name: 'sum_outer_cols', reals: 1 },
  { name: 'nhwc_to_chwn', reals: 0 },
  { name: 'pack_panels_nhwc', reals: 0 },
  { name: 'bn_stats', reals: 1 },
  { name: 'im2col_nhwc', reals: 0 },
  { name: 'gemm', reals: 0 },
  { name: 'scatter_phase', reals: 0 },
] as const;
type ThreadKernel = (typeof KERNELS)[number]['name'];
/** A call's workers must finish within this (W2's largest convolution takes ~0.15 s on one thread). */
const WORKER_TIMEOUT_MS = 120_000;
/** Below this many multiply-adds a call stays on one thread (waking the workers costs ~50 us). */
export const MIN_THREADED_MACS = 2e6;
/** A resident tensor is summed over its leading axes on the threads from this many floats. */
export const MIN_THREADED_SUM_FLOATS = 1 << 16;
/** Columns a thread sums at least (the kernel's widest pass). */
const SUM_COLUMN_BLOCK = 16;

interface ThreadExports {
  conv2d_nhwc(...args: number[]): void;
  sum_outer_cols(...args: number[]): void;
  nhwc_to_chwn(...args: number[]): void;
  pack_panels_nhwc(...args: number[]): void;
  bn_stats(...args: number[]): void;
  im2col_nhwc(...args: number[]): void;
  gemm(...args: number[]): void;
  scatter_phase(...args: number[]): void;
  __stack_pointer: WebAssembly.Global;
}

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}

/** What a worker is given: the kernel module, the shared memory and control block, its place. */
interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
  stackTop: number;
  realsAt: number;
}

interface PoolWorker {
  terminate(): unknown;
}

/** Starts one worker of the pool; `stop` releases what the spawner holds once the pool stops. */
interface Spawner {
  spawn(data: WorkerData): PoolWorker;
  stop(): void;
  /** Whether the calling thread may block in Atomics.wait (not a browser page's main thread). */
  canBlock: boolean;
}

function nodeSpawner(): Spawner | null {
  const wt = nodeBuiltin<{ Worker: new (code: string, options: object) => NodeWorker }>(
    'node:worker_threads',
  );
  if (!wt) return null;
  return {
    spawn: (workerData) => {
      const w = new wt.Worker(nodeWorkerSource, { eval: true, workerData });
      w.unref(); // idle workers do not keep the process alive
      return w;
    },
    stop: () => {},
    canBlock: true,
  };
}

interface BrowserGlobals {
  Worker?: new (url: string) => PoolWorker & { postMessage(data: unknown): void };
  crossOriginIsolated?: boolean;
  document?: unknown;
}

/** Web Workers from a blob URL, on a cross-origin isolated page (the only place with shared memory). */
function browserSpawner(): Spawner | null {
  const g = globalThis as BrowserGlobals;
  const Worker = g.Worker;
  if (!Worker || g.crossOriginIsolated !== true || typeof Blob === 'undefined' || typeof URL === 'undefined')
    return null;
  let url: string | null = null;
  return {
    spawn: (data) => {
      url ??= URL.createObjectURL(new Blob([browserWorkerSource], { type: 'text/javascript' }));
      const w = new Worker(url);
      w.postMessage(data);
      return w;
    },
    stop: () => {
      if (url) URL.revokeObjectURL(url);
    },
    canBlock: g.document === undefined,
  };
}

const spawner = (): Spawner | null => nodeSpawner() ?? browserSpawner();

/** Byte offset of the control block's Float64 arguments. */
const realsAt = (threads: number) => 8 * Math.ceil((RANGES + 2 * threads) / 2);

/** The worker's loop over the calls, given its workerData (runs until the sequence number is negative). */
const workerLoop = `(data) => {
const { module, memory, control, index, stackTop, realsAt } = data;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
k.__stack_pointer.value = stackTop;
const ctrl = new Int32Array(control);
Atomics.add(ctrl, ${READY}, 1);
const kernels = ${JSON.stringify(KERNELS)};
const reals = new Float64Array(control, realsAt, ${REAL_COUNT});
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${SEQ}, seen);
  seen = Atomics.load(ctrl, ${SEQ});
  if (seen < 0) break;
  const { name, reals: r } = kernels[ctrl[${KIND}]];
  const args = Array.from(ctrl.subarray(${ARGS}, ${ARGS} + ctrl[${ARGC}]));
  const begin = ctrl[${RANGES} + 2 * index], end = ctrl[${RANGES} + 2 * index + 1];
  try {
    if (end > begin) k[name](...args, ...reals.subarray(0, r), begin, end);
  } catch {
    Atomics.add(ctrl, ${FAILED}, 1);
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
}`;
/** Node: a worker_threads Worker evaluating this, its data as workerData. */
const nodeWorkerSource = `(${workerLoop})(require('node:worker_threads').workerData);`;
/** Browsers: a Web Worker from a blob URL, its data as the first message (Atomics.wait is allowed in workers). */
const browserWorkerSource = `self.onmessage = (e) => (${workerLoop})(e.data);`;
/** A tensor a threaded call reads or writes: its floats in tfjs's heap, and its key to stay resident. */
export interface SharedTensor {
  data: Float32Array;
  /** Keeps (or reuses) the tensor's copy in the threads' memory; none: copied for this call only. */
  key?: ResidentKey | null;
}

/** The convolution whose filter gradient is taken: x [n, h, w, ci], dy [n, oh, ow, co]. */
export interface FilterGradientShape {
  n: number;
  h: number;
  w: number;
  ci: number;
  oh: number;
  ow: number;
  co: number;
}

/** A single matrix product c [M, N] = a b as kernels/heap.c's gemm takes it (no bias, linear). */
export interface GemmShape {
  M: number;
  K: number;
  N: number;
  /** a given as [K, M] (read in place) instead of [M, K]. */
  transposeA: boolean;
  /** Panels of b visited together (see gemm.ts). */
  groupPanels: number;
}

/** One phase of a transposed convolution: a stride-1 convolution of dy whose rows land at (ry, rx). */
export interface TransposedPhase {
  /** The phase's sub-filter, packed. */
  packed: SharedTensor;
  /** Its convolution over dy: g.n, g.h, g.w, g.ci are dy's; g.oh x g.ow its rows, g.co the output's channels. */
  g: ConvGeometry;
  ry: number;
  rx: number;
}

export interface ConvThreadsOptions {
  /** The backend's record id of a dataId now, undefined once it is gone (see shared-arena.ts). */
  recordOf(dataId: object): number | undefined;
  /** Bytes of resident copies kept at most (default: shared-arena.ts). */
  residentBudgetBytes?: number;
}

export class ConvThreads {
  private readonly memory: WebAssembly.Memory;
  private readonly kernels: ThreadExports;
  private readonly ctrl: Int32Array;
  private readonly reals: Float64Array;
  private readonly workers: PoolWorker[] = [];
  private readonly arena: SharedArena;
  private stopped = false;

  private constructor(
    readonly threads: number,
    module: WebAssembly.Module,
    private readonly spawner: Spawner,
    options: ConvThreadsOptions,
  ) {
    const dataStart = (threads + 1) * STACK_BYTES;
    this.memory = new WebAssembly.Memory({
      initial: Math.ceil(dataStart / STACK_BYTES) + 16,
      maximum: MAX_PAGES,
      shared: true,
    });
    this.arena = new SharedArena(
      this.memory,
      dataStart,
      options.recordOf,
      options.residentBudgetBytes === undefined ? {} : { budgetBytes: options.residentBudgetBytes },
    );
    this.kernels = new WebAssembly.Instance(module, { env: { memory: this.memory } })
      .exports as unknown as ThreadExports;
    this.kernels.__stack_pointer.value = STACK_BYTES; // thread 0's stack: [0, 64 KiB)
    const control = new SharedArrayBuffer(realsAt(threads) + 8 * REAL_COUNT);
    this.ctrl = new Int32Array(control);
    this.reals = new Float64Array(control, realsAt(threads), REAL_COUNT);
    for (let index = 1; index < threads; index++) {
      this.workers.push(
        spawner.spawn({
          module,
          memory: this.memory,
          control,
          index,
          stackTop: (index + 1) * STACK_BYTES,
          realsAt: realsAt(threads),
        }),
      );
    }
  }

  /**
   * A pool of `threads` (the caller's thread included), or null where it cannot run: no relaxed SIMD
   * or shared memory, no workers (Node's worker_threads, or Web Workers on a cross-origin isolated page).
   */
  static start(threads: number, options: ConvThreadsOptions): ConvThreads | null {
    const s = threads >= 2 && typeof SharedArrayBuffer !== 'undefined' ? spawner() : null;
    if (!s) return null;
    try {
      const module = new WebAssembly.Module(decodeBase64(HEAP_KERNELS_FMA_SHARED_WASM_BASE64));
      return new ConvThreads(threads, module, s, options);
    } catch {
      return null;
    }
  }

  /** Whether start() can succeed here: shared memory, workers, and the relaxed-SIMD module validates. */
  static available(): boolean {
    if (typeof SharedArrayBuffer === 'undefined' || !spawner()) return false;
    try {
      return WebAssembly.validate(decodeBase64(HEAP_KERNELS_FMA_SHARED_WASM_BASE64));
    } catch {
      return false;
    }
  }

  /**
   * y = conv(x, filter) as Conv2D.ts's heapConv2D, the rows split between the threads. `packed` is
   * the filter already packed by pack_panels (the runtime's cache keeps it per weight tensor), so
   * only a copy, not a packing, happens here while the workers wait, and none when the packed filter
   * (or x) is still resident from an earlier call. With a key, y stays resident after the call.
   */
  conv2d(
    x: SharedTensor,
    packed: SharedTensor,
    y: SharedTensor,
    g: ConvGeometry,
    { im2col = false }: { im2col?: boolean } = {},
  ): void {
    if (packed.data.length !== packedFloats(g))
      throw new RangeError(
        `conv2d: ${packed.data.length} packed floats for a filter that packs into ${packedFloats(g)}`,
      );
    const M = g.n * g.oh * g.ow;
    if (x.data.length !== g.n * g.h * g.w * g.ci || y.data.length !== M * g.co)
      throw new RangeError("conv2d: x or y does not have the geometry's size");
    this.arena.beginCall();
    const temporary: number[] = [];
    try {
      let xAt = this.input(x, temporary);
      const pAt = this.input(packed, temporary);
      let kernelGeometry = g;
      if (im2col) {
        // the patches as rows, made by the threads where x is; then a 1x1 convolution over them
        kernelGeometry = im2colGeometry(g);
        const colsAt = this.arena.alloc(4 * M * kernelGeometry.ci);
        temporary.push(colsAt);
        this.run('im2col_nhwc', im2colArgs(g, xAt, colsAt), [], M, 4);
        xAt = colsAt;
      }
      const zAt = this.arena.alloc(4 * kernelGeometry.ci);
      temporary.push(zAt);
      const yAt = this.arena.alloc(4 * y.data.length);
      temporary.push(yAt);
      new Float32Array(this.memory.buffer, zAt, kernelGeometry.ci).fill(0);
      // row blocks of 4, as the kernel takes them
      this.run('conv2d_nhwc', convKernelArgs(kernelGeometry, xAt, pAt, yAt, zAt), [], M, 4);
      y.data.set(new Float32Array(this.memory.buffer, yAt, y.data.length));
      if (y.key) {
        this.arena.keep(yAt, y.key);
        temporary.pop();
      }
    } finally {
      for (const at of temporary) this.arena.free(at);
    }
  }

  /**
   * c = a b as kernels/heap.c's gemm (b packed by pack_panels or pack_panels_t, kept resident under
   * its key), the rows of c split between the threads: each row is the one-thread kernel's, so the
   * same bits on any number of threads.
   */
  gemm(a: SharedTensor, packed: SharedTensor, c: SharedTensor, s: GemmShape): void {
    if (a.data.length !== s.M * s.K || c.data.length !== s.M * s.N)
      throw new RangeError(
        `gemm: a or c does not have the size of a [${s.M}, ${s.K}] x [${s.K}, ${s.N}] product`,
      );
    if (packed.data.length !== Math.ceil(s.N / 8) * 8 * s.K)
      throw new RangeError(`gemm: ${packed.data.length} packed floats for a [${s.K}, ${s.N}] operand`);
    this.arena.beginCall();
    const temporary: number[] = [];
    try {
      const aAt = this.input(a, temporary);
      const pAt = this.input(packed, temporary);
      const cAt = this.arena.alloc(4 * c.data.length);
      temporary.push(cAt);
      const [sam, sak] = s.transposeA ? [1, s.M] : [s.K, 1];
      this.run('gemm', [aAt, sam, sak, pAt, cAt, 0, s.K, s.N, 0, s.groupPanels], [], s.M, 4);
      c.data.set(new Float32Array(this.memory.buffer, cAt, c.data.length));
      if (c.key) {
        this.arena.keep(cAt, c.key);
        temporary.pop();
      }
    } finally {
      for (const at of temporary) this.arena.free(at);
    }
  }

  /**
   * A transposed convolution (Conv2DBackpropInput) as its stride phases: each phase's convolution of
   * dy (copied in once, or found resident) is split by rows, and its rows are scattered by the threads
   * to their places in the whole output [n, h, w, ci] in shared memory, which is copied out once. The
   * phases must cover every output position (each position belongs to exactly one phase).
   */
  transposedConv(
    dy: SharedTensor,
    phases: TransposedPhase[],
    out: Float32Array,
    s: { n: number; h: number; w: number; ci: number; sh: number; sw: number },
  ): void {
    if (out.length !== s.n * s.h * s.w * s.ci)
      throw new RangeError('transposedConv: the output does not have the shape given');
    let covered = 0;
    for (const p of phases) {
      const { g } = p;
      if (
        g.n !== s.n ||
        g.co !== s.ci ||
        dy.data.length !== g.n * g.h * g.w * g.ci ||
        p.packed.data.length !== packedFloats(g) ||
        p.ry + s.sh * (g.oh - 1) >= s.h ||
        p.rx + s.sw * (g.ow - 1) >= s.w
      )
        throw new RangeError(`transposedConv: phase (${p.ry}, ${p.rx}) does not fit dy and the output`);
      covered += g.n * g.oh * g.ow;
    }
    if (covered !== s.n * s.h * s.w)
      throw new RangeError(`transposedConv: the phases cover ${covered} of ${s.n * s.h * s.w} positions`);
    this.arena.beginCall();
    const temporary: number[] = [];
    try {
      const dyAt = this.input(dy, temporary);
      const outAt = this.arena.alloc(4 * out.length);
      temporary.push(outAt);
      for (const { packed, g, ry, rx } of phases) {
        const rows = g.n * g.oh * g.ow;
        const phaseTemporary: number[] = [];
        try {
          const pAt = this.input(packed, phaseTemporary);
          const zAt = this.arena.alloc(4 * g.ci);
          phaseTemporary.push(zAt);
          const yAt = this.arena.alloc(4 * rows * g.co);
          phaseTemporary.push(yAt);
          new Float32Array(this.memory.buffer, zAt, g.ci).fill(0);
          this.run('conv2d_nhwc', convKernelArgs(g, dyAt, pAt, yAt, zAt), [], rows, 4);
          this.run(
            'scatter_phase',
            [yAt, outAt, g.oh, g.ow, s.ci, s.h, s.w, s.sh, s.sw, ry, rx],
            [],
            rows,
            4,
          );
        } finally {
          for (const at of phaseTemporary) this.arena.free(at);
        }
      }
      out.set(new Float32Array(this.memory.buffer, outAt, out.length));
    } finally {
      for (const at of temporary) this.arena.free(at);
    }
  }

  /**
   * dst[j] = scale * sum over i < outer of src[i * inner + j] as kernels/heap.c's sum_outer, split by
   * columns (each column is added in the same order whichever thread takes it: the same bits as one
   * thread), when `src` is resident in the threads' memory and big enough; false (nothing done)
   * otherwise, and the caller sums on its own thread.
   */
  sumOuter(src: ResidentKey, dst: Float32Array, outer: number, inner: number, scale: number): boolean {
    if (dst.length !== inner) throw new RangeError(`sumOuter: ${dst.length} outputs for ${inner} columns`);
    // too small to pay for waking the workers, or too few columns for two
    if (outer * inner < MIN_THREADED_SUM_FLOATS || inner < 2 * SUM_COLUMN_BLOCK) return false;
    this.arena.beginCall();
    const srcAt = this.arena.find(src);
    if (srcAt === null || this.arena.bytesAt(srcAt) < 4 * outer * inner) return false;
    const dstAt = this.arena.alloc(4 * inner);
    try {
      this.run('sum_outer_cols', [srcAt, dstAt, outer, inner], [scale], inner, SUM_COLUMN_BLOCK);
      dst.set(new Float32Array(this.memory.buffer, dstAt, inner));
    } finally {
      this.arena.free(dstAt);
    }
    return true;
  }

  /**
   * Batch norm's per-column mean and variance of a resident [outer, inner] tensor as kernels/heap.c's
   * bn_stats, split by columns (each column's sums are column-local: the same bits as one thread);
   * false (nothing done) when `src` is not resident or too small, and the caller runs bn_stats itself.
   */
  bnStats(
    src: ResidentKey,
    mean: Float32Array,
    variance: Float32Array,
    outer: number,
    inner: number,
    scale: number,
  ): boolean {
    if (mean.length !== inner || variance.length !== inner)
      throw new RangeError(`bnStats: ${mean.length} and ${variance.length} outputs for ${inner} columns`);
    if (outer * inner < MIN_THREADED_SUM_FLOATS || inner < 2 * SUM_COLUMN_BLOCK) return false;
    this.arena.beginCall();
    const srcAt = this.arena.find(src);
    if (srcAt === null || this.arena.bytesAt(srcAt) < 4 * outer * inner) return false;
    const meanAt = this.arena.alloc(8 * inner);
    const varAt = meanAt + 4 * inner;
    try {
      this.run('bn_stats', [srcAt, meanAt, varAt, outer, inner], [scale], inner, SUM_COLUMN_BLOCK);
      mean.set(new Float32Array(this.memory.buffer, meanAt, inner));
      variance.set(new Float32Array(this.memory.buffer, varAt, inner));
    } finally {
      this.arena.free(meanAt);
    }
    return true;
  }

  /**
   * The filter gradient dW [kh, kw, ci, co] as Conv2DBackpropFilter.ts computes it, conv(x^T, dy^T)
   * of geometry `g` (g.n = ci, g.ci = n, g.kh x g.kw = oh x ow, g.oh x g.ow = kh x kw, and the first
   * g.h rows and g.w columns of x), with both operands made in the threads' memory from x and dy
   * (resident, or copied once) by the threads: x^T by nhwc_to_chwn, dy^T packed in place by
   * pack_panels_nhwc, both plain copies, so the result has the bits of the stock composition.
   */
  filterGradient(
    x: SharedTensor,
    dy: SharedTensor,
    out: Float32Array,
    s: FilterGradientShape,
    g: ConvGeometry,
  ): void {
    const consistent =
      g.n === s.ci &&
      g.ci === s.n &&
      g.kh === s.oh &&
      g.kw === s.ow &&
      g.co === s.co &&
      g.h <= s.h &&
      g.w <= s.w &&
      x.data.length === s.n * s.h * s.w * s.ci &&
      dy.data.length === s.n * s.oh * s.ow * s.co &&
      out.length === g.oh * g.ow * s.ci * s.co;
    if (!consistent) throw new RangeError('filterGradient: the shapes do not describe one convolution');
    this.arena.beginCall();
    const temporary: number[] = [];
    const temp = (floats: number) => {
      const at = this.arena.alloc(4 * floats);
      temporary.push(at);
      return at;
    };
    try {
      const xAt = this.input(x, temporary);
      const dyAt = this.input(dy, temporary);
      const xtAt = temp(g.n * g.h * g.w * g.ci);
      this.run('nhwc_to_chwn', [xAt, xtAt, s.n, s.h, s.w, s.ci, g.h, g.w], [], g.h, 1);
      const pAt = temp(packedFloats(g));
      this.run('pack_panels_nhwc', [dyAt, pAt, s.n, s.oh * s.ow, s.co], [], Math.ceil(s.co / 8), 1);
      const zAt = temp(g.ci);
      new Float32Array(this.memory.buffer, zAt, g.ci).fill(0);
      const taps = g.oh * g.ow;
      const gradAt = temp(s.ci * taps * s.co);
      this.run('conv2d_nhwc', convKernelArgs(g, xtAt, pAt, gradAt, zAt), [], s.ci * taps, 4);
      // [ci, kh, kw, co] to [kh, kw, ci, co] as it is copied out
      const grad = new Float32Array(this.memory.buffer, gradAt, s.ci * taps * s.co);
      for (let c = 0; c < s.ci; c++)
        for (let t = 0; t < taps; t++) {
          const from = (c * taps + t) * s.co;
          out.set(grad.subarray(from, from + s.co), (t * s.ci + c) * s.co);
        }
    } finally {
      for (const at of temporary) this.arena.free(at);
    }
  }

  /** Resident copies held in the threads' memory (for tests and reports). */
  residentStats(): { bytes: number; residents: number; blocks: number } {
    return this.arena.stats();
  }

  /** Byte offset of `t`'s floats in the threads' memory: its resident copy, or a new copy. */
  private input(t: SharedTensor, temporary: number[]): number {
    const resident = t.key ? this.arena.find(t.key) : null;
    if (resident !== null) return resident;
    const at = this.arena.alloc(4 * t.data.length);
    new Float32Array(this.memory.buffer, at, t.data.length).set(t.data);
    if (t.key) this.arena.keep(at, t.key);
    else temporary.push(at);
    return at;
  }

  /**
   * Runs `kernel` over [0, size) split into one range per thread (multiples of `block`), the caller
   * taking the first; waits for the workers.
   */
  private run(kernel: ThreadKernel, args: number[], reals: number[], size: number, block: number): void {
    if (args.length > ARG_COUNT || reals.length > REAL_COUNT)
      throw new RangeError(`${kernel}: too many arguments for the control block`);
    const kind = KERNELS.findIndex((k) => k.name === kernel);
    const chunk = Math.ceil(size / this.threads / block) * block;
    const ctrl = this.ctrl;
    ctrl[KIND] = kind;
    ctrl[ARGC] = args.length;
    ctrl.set(args, ARGS);
    this.reals.set(reals);
    for (let t = 0; t < this.threads; t++) {
      ctrl[RANGES + 2 * t] = Math.min(size, t * chunk);
      ctrl[RANGES + 2 * t + 1] = Math.min(size, (t + 1) * chunk);
    }
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, FAILED, 0);
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
    const own = Math.min(size, chunk);
    if (own > 0) this.kernels[kernel](...args, ...reals, 0, own);
    const others = this.threads - 1;
    const deadline = Date.now() + WORKER_TIMEOUT_MS;
    for (let done = Atomics.load(ctrl, DONE); done < others; done = Atomics.load(ctrl, DONE)) {
      if (Date.now() > deadline) {
        // a worker that died would leave us waiting for ever: give up on the pool, loudly
        this.dispose();
        throw new Error(
          `@lab/core: a kernel thread did not finish within ${WORKER_TIMEOUT_MS / 1000} s; threads stopped`,
        );
      }
      // a browser page's main thread may not block: it spins (the workers' share is milliseconds)
      if (this.spawner.canBlock) Atomics.wait(ctrl, DONE, done, 1000);
    }
    if (Atomics.load(ctrl, FAILED) > 0) throw new Error(`@lab/core: a kernel thread failed in ${kernel}`);
  }

  /**
   * Resolves once every worker waits for calls (true), or false after `timeoutMs` (the pool is then
   * stopped). A browser starts a worker only when the page's thread returns to its event loop, which
   * a call spinning for the workers never does: await this before the first call there.
   */
  async whenReady(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.stopped) return false;
      if (Atomics.load(this.ctrl, READY) >= this.threads - 1) return true;
      if (Date.now() > deadline) {
        this.dispose();
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** False once the workers are stopped (disposed, or given up on after a timeout). */
  get running(): boolean {
    return !this.stopped;
  }

  /** Stops the workers. */
  dispose(): void {
    this.stopped = true;
    Atomics.store(this.ctrl, SEQ, -1);
    Atomics.notify(this.ctrl, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
    this.spawner.stop();
  }
}
