// @lab's own kernel threads in Node. tfjs's threaded WASM build cannot start in Node (its workers load
// from a blob URL), and the memory of its single-threaded build is not shared, so no other thread can
// work on tensors where they live. Instead, a convolution big enough to pay for it is copied into a
// shared WebAssembly memory that every thread has bound the FMA kernel module to; the output rows are
// split between the calling thread and the workers, which wait on an Atomics control block, and the
// result is copied back. The copies cost about 1-2 ms for W1's largest layer, whose arithmetic takes
// ~36 ms on one thread. A pool belongs to the runtime object initBackend builds (runtime/lab-runtime.ts),
// which stops it when it is replaced.
import { nodeBuiltin } from '../../runtime/node-builtin.js';
import { decodeBase64 } from '../simd-module.js';
import { type ConvGeometry, convKernelArgs, packedFloats } from './conv-geometry.js';
import { HEAP_KERNELS_FMA_SHARED_WASM_BASE64 } from './heap.wasm.js';

const PAGE = 65536;
const MAX_PAGES = 32768; // the module declares 2 GiB at most
const STACK_BYTES = PAGE;
/**
 * Control block (Int32): sequence number, finished workers, failed workers, then the call's arguments
 * and row ranges.
 */
const SEQ = 0;
const DONE = 1;
const FAILED = 2;
const ARGS = 3;
const ARG_COUNT = 20;
const RANGES = ARGS + ARG_COUNT;
/** A call's workers must finish within this (W2's largest convolution takes ~0.15 s on one thread). */
const WORKER_TIMEOUT_MS = 120_000;
/** Below this many multiply-adds a call stays on one thread (waking the workers costs ~50 us). */
export const MIN_THREADED_MACS = 2e6;

interface ConvExports {
  pack_panels(w: number, packed: number, K: number, co: number): void;
  conv2d_nhwc(...args: number[]): void;
  __stack_pointer: WebAssembly.Global;
}

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}

const workerSource = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, index, stackTop } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
k.__stack_pointer.value = stackTop;
const ctrl = new Int32Array(control);
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${SEQ}, seen);
  seen = Atomics.load(ctrl, ${SEQ});
  if (seen < 0) break;
  const args = Array.from(ctrl.subarray(${ARGS}, ${ARGS + ARG_COUNT}));
  const begin = ctrl[${RANGES} + 2 * index], end = ctrl[${RANGES} + 2 * index + 1];
  try {
    if (end > begin) k.conv2d_nhwc(...args, begin, end);
  } catch {
    Atomics.add(ctrl, ${FAILED}, 1);
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;

export class ConvThreads {
  private readonly memory: WebAssembly.Memory;
  private readonly kernels: ConvExports;
  private readonly ctrl: Int32Array;
  private readonly workers: NodeWorker[] = [];
  private readonly dataStart: number;
  private stopped = false;

  private constructor(
    readonly threads: number,
    module: WebAssembly.Module,
    Worker: new (code: string, options: object) => NodeWorker,
  ) {
    this.dataStart = (threads + 1) * STACK_BYTES;
    this.memory = new WebAssembly.Memory({
      initial: Math.ceil(this.dataStart / PAGE) + 16,
      maximum: MAX_PAGES,
      shared: true,
    });
    this.kernels = new WebAssembly.Instance(module, { env: { memory: this.memory } })
      .exports as unknown as ConvExports;
    this.kernels.__stack_pointer.value = STACK_BYTES; // thread 0's stack: [0, 64 KiB)
    const control = new SharedArrayBuffer(4 * (RANGES + 2 * threads));
    this.ctrl = new Int32Array(control);
    for (let index = 1; index < threads; index++) {
      const w = new Worker(workerSource, {
        eval: true,
        workerData: { module, memory: this.memory, control, index, stackTop: (index + 1) * STACK_BYTES },
      });
      w.unref(); // idle workers do not keep the process alive
      this.workers.push(w);
    }
  }

  /** A pool of `threads` (the caller's thread included), or null where it cannot run (not Node, no relaxed SIMD or shared memory). */
  static start(threads: number): ConvThreads | null {
    if (threads < 2 || typeof SharedArrayBuffer === 'undefined') return null;
    const wt = nodeBuiltin<{ Worker: new (code: string, options: object) => NodeWorker }>(
      'node:worker_threads',
    );
    if (!wt) return null;
    try {
      const module = new WebAssembly.Module(decodeBase64(HEAP_KERNELS_FMA_SHARED_WASM_BASE64));
      return new ConvThreads(threads, module, wt.Worker);
    } catch {
      return null;
    }
  }

  /** Byte offset of a 16-byte aligned block of `bytes` after `at`, growing the memory as needed. */
  private reserve(at: number, bytes: number): number {
    const end = Math.ceil((at + bytes) / 16) * 16;
    const need = end - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / PAGE));
    return end;
  }

  /**
   * y = conv(x, filter) as Conv2D.ts's heapConv2D, the rows split between the threads. `packed` is
   * the filter already packed by pack_panels (the runtime's cache keeps it per weight tensor), so
   * only a copy, not a packing, happens here while the workers wait.
   */
  conv2d(x: Float32Array, packed: Float32Array, y: Float32Array, g: ConvGeometry): void {
    if (packed.length !== packedFloats(g))
      throw new RangeError(
        `conv2d: ${packed.length} packed floats for a filter that packs into ${packedFloats(g)}`,
      );
    const xAt = this.dataStart;
    const pAt = this.reserve(xAt, 4 * x.length);
    const zAt = this.reserve(pAt, 4 * packed.length);
    const yAt = this.reserve(zAt, 4 * g.ci);
    this.reserve(yAt, 4 * y.length);
    const buffer = this.memory.buffer; // after growing: the buffer of a grown shared memory is new
    new Float32Array(buffer, xAt, x.length).set(x);
    new Float32Array(buffer, pAt, packed.length).set(packed);
    new Float32Array(buffer, zAt, g.ci).fill(0);
    const args = convKernelArgs(g, xAt, pAt, yAt, zAt);
    const M = g.n * g.oh * g.ow;
    // row blocks of 4, as the kernel takes them
    const chunk = Math.ceil(M / this.threads / 4) * 4;
    const ctrl = this.ctrl;
    ctrl.set(args, ARGS);
    for (let t = 0; t < this.threads; t++) {
      ctrl[RANGES + 2 * t] = Math.min(M, t * chunk);
      ctrl[RANGES + 2 * t + 1] = Math.min(M, (t + 1) * chunk);
    }
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, FAILED, 0);
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
    this.kernels.conv2d_nhwc(...args, 0, Math.min(M, chunk));
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
      Atomics.wait(ctrl, DONE, done, 1000);
    }
    if (Atomics.load(ctrl, FAILED) > 0) throw new Error('@lab/core: a kernel thread failed in conv2d_nhwc');
    y.set(new Float32Array(this.memory.buffer, yAt, y.length));
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
  }
}
