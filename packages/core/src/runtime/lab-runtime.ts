// The runtime as a value: everything @lab's kernels read that is not tfjs's own state (tfjs's engine
// and its kernel and gradient registries are process-wide; see the README). One object per tfjs
// backend, registered on the backend object under a Symbol.for key, so that a kernel (which is handed
// its backend) and every loaded copy of @lab/core find the same one. initBackend builds it from its
// options and replaces (and disposes) the previous one when the options differ, so re-initialising
// does what it says; without initBackend, a backend gets the defaults on first use.
import { backend as currentBackend } from '@tensorflow/tfjs-core';
import { ConvThreads } from '../kernels/heap/conv-threads.js';
import { measureFmaPeak } from '../kernels/heap/fma-peak.js';
import {
  bindHeapKernels,
  HEAP_KERNEL_BUILDS,
  type HeapKernelBinding,
  type HeapKernels,
} from '../kernels/heap/heap-kernels.js';
import { PackedPanelCache, type PackingBackend } from '../kernels/heap/packed-panels.js';
import {
  type CompiledSimdKernels,
  compileSimdKernels,
  type SimdKernelBuilds,
} from '../kernels/simd-module.js';
import { recordIdOf } from '../kernels/wasm/kernel-utils.js';

const RUNTIME = Symbol.for('@lab/core.runtime');

export interface RuntimeOptions {
  /** Use the relaxed-SIMD (fused multiply-add) builds of @lab's kernels where they compile. */
  relaxedSimd: boolean;
  /** @lab's own kernel threads (Node, FMA kernels only); 1 runs everything on the calling thread. */
  threads: number;
}

export const DEFAULT_RUNTIME_OPTIONS: Readonly<RuntimeOptions> = Object.freeze({
  relaxedSimd: true,
  threads: 1,
});

/** The settings, compiled kernel modules, kernel threads and scratch memory of one tfjs backend. */
export class LabRuntime {
  readonly options: Readonly<RuntimeOptions>;
  private readonly modules = new Map<SimdKernelBuilds, CompiledSimdKernels | null>();
  private readonly shared = new Map<symbol, unknown>();
  private heap: HeapKernelBinding | null | undefined;
  private pool: ConvThreads | null | undefined;
  private packed: PackedPanelCache | null | undefined;
  private peak: number | null | undefined;
  private scratch = new Float32Array(0);
  private disposed = false;

  constructor(
    private readonly backend: object,
    options: Partial<RuntimeOptions> = {},
  ) {
    const merged = { ...DEFAULT_RUNTIME_OPTIONS, ...options };
    if (typeof merged.relaxedSimd !== 'boolean')
      throw new TypeError(
        `LabRuntime: relaxedSimd must be a boolean, got ${JSON.stringify(merged.relaxedSimd)}`,
      );
    if (!Number.isInteger(merged.threads) || merged.threads < 1)
      throw new TypeError(`LabRuntime: threads must be a positive integer, got ${merged.threads}`);
    this.options = Object.freeze(merged);
  }

  /** A kernel module compiled once for this runtime (the FMA build only when `relaxedSimd` allows). */
  simdKernels(builds: SimdKernelBuilds): CompiledSimdKernels | null {
    if (!this.modules.has(builds))
      this.modules.set(builds, compileSimdKernels(builds, { fma: this.options.relaxedSimd }));
    return this.modules.get(builds) ?? null;
  }

  /** kernels/heap.c bound to this backend's memory, or null (not wasm, no SIMD, disposed). */
  heapKernels(): HeapKernels | null {
    if (this.disposed) return null;
    if (this.heap === undefined)
      this.heap = bindHeapKernels(this.backend, this.simdKernels(HEAP_KERNEL_BUILDS));
    return this.heap?.kernels ?? null;
  }

  /** Whether the heap kernels are bound in their FMA build (the convolutions run on them only then). */
  heapKernelsFma(): boolean {
    return this.heapKernels() !== null && (this.simdKernels(HEAP_KERNEL_BUILDS)?.fma ?? false);
  }

  /**
   * The kernel-thread pool (started on first use), or null: `threads` 1, no FMA heap kernels, no
   * worker threads (browsers), or a pool that gave up after a timeout.
   */
  convThreads(): ConvThreads | null {
    if (this.pool === undefined)
      this.pool =
        this.options.threads > 1 && this.heapKernelsFma()
          ? ConvThreads.start(this.options.threads, { recordOf: (id) => recordIdOf(this.backend, id) })
          : null;
    return this.pool?.running ? this.pool : null;
  }

  /**
   * Packed weights of the heap kernels' products, kept per tensor until tfjs disposes of or rewrites
   * it (kernels/heap/packed-panels.ts); null where the heap kernels are not bound.
   */
  packedPanels(): PackedPanelCache | null {
    if (this.packed === undefined)
      this.packed = this.heapKernels() ? new PackedPanelCache(this.backend as PackingBackend) : null;
    return this.packed;
  }

  /**
   * This core's 128-bit multiply-add peak in GFLOP/s, measured once on the heap kernels' register-only
   * loop (fused in the FMA build); null without them.
   */
  fmaPeakGflops(): number | null {
    if (this.peak === undefined) {
      const k = this.heapKernels();
      this.peak = k ? measureFmaPeak(k) : null;
    }
    return this.peak;
  }

  /** Threads the convolutions use: the pool's size, or 1. */
  threadCount(): number {
    return this.convThreads()?.threads ?? 1;
  }

  /** One object per runtime under `key`, made by `create` on first use (e.g. another package's kernel instance). */
  sharedObject<T>(key: symbol, create: () => T): T {
    if (!this.shared.has(key)) this.shared.set(key, create());
    return this.shared.get(key) as T;
  }

  /**
   * `n` floats of scratch memory, reused by the next call (so that a hot path makes no garbage):
   * callers copy out before anything else can ask for it.
   */
  scratchFloats(n: number): Float32Array {
    if (n > this.scratch.length) this.scratch = new Float32Array(n);
    return this.scratch.subarray(0, n);
  }

  /** Whether these are the options this runtime was built with. */
  hasOptions(options: Readonly<RuntimeOptions>): boolean {
    return this.options.relaxedSimd === options.relaxedSimd && this.options.threads === options.threads;
  }

  /** Whether dispose() was called (labRuntime then gives the backend a fresh runtime). */
  isDisposed(): boolean {
    return this.disposed;
  }

  /** Stops the kernel threads and frees the heap kernels' stack; the runtime then binds nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool?.dispose();
    this.pool = null;
    this.packed?.dispose();
    this.packed = null;
    this.heap?.release();
    this.heap = null;
    this.shared.clear();
    this.modules.clear();
    this.scratch = new Float32Array(0);
  }
}

interface RuntimeHolder {
  [RUNTIME]?: LabRuntime;
}

/** The runtime of a backend (default: tfjs's current one); a backend initBackend never saw gets the defaults. */
export function labRuntime(backend: object = currentBackend()): LabRuntime {
  const holder = backend as RuntimeHolder;
  if (!holder[RUNTIME] || holder[RUNTIME].isDisposed()) holder[RUNTIME] = new LabRuntime(backend);
  return holder[RUNTIME];
}

/**
 * Registers a runtime with these options on the backend: the one already there if it has them,
 * else a new one (the old one is disposed). initBackend's only way of setting runtime state.
 */
export function installRuntime(backend: object, options: Readonly<RuntimeOptions>): LabRuntime {
  const holder = backend as RuntimeHolder;
  const existing = holder[RUNTIME];
  if (existing && !existing.isDisposed() && existing.hasOptions(options)) return existing;
  existing?.dispose();
  const runtime = new LabRuntime(backend, options);
  holder[RUNTIME] = runtime;
  return runtime;
}
