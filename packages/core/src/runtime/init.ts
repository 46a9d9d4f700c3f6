// initBackend: the one call that makes TensorFlow.js ready to train with @lab.
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { engine, env, getBackend, ready, setBackend, backend as tfBackend } from '@tensorflow/tfjs-core';
import { ConvThreads } from '../kernels/heap/conv-threads.js';
import { registerLab } from '../register.js';
import { installRuntime } from './lab-runtime.js';
import { nodeBuiltin } from './node-builtin.js';

export type WasmFileName =
  | 'tfjs-backend-wasm.wasm'
  | 'tfjs-backend-wasm-simd.wasm'
  | 'tfjs-backend-wasm-threaded-simd.wasm';

export interface InitBackendOptions {
  /** Backend to use. Default 'wasm' (SIMD when the platform has it); 'cpu' is the pure-JS reference. */
  backend?: 'wasm' | 'cpu';
  /**
   * Where the .wasm binaries are served from, for bundlers: a directory URL ending in '/' or a map
   * from file name to URL. Default: next to @tensorflow/tfjs-backend-wasm (works in Node).
   */
  wasmPaths?: string | Partial<Record<WasmFileName, string>>;
  /**
   * Worker threads for the WASM backend. 'auto' (default) uses tfjs's choice where threads are
   * available (a cross-origin isolated browser page) and 1 elsewhere; a number sets the count. In
   * Node (where tfjs's threaded build cannot start) a number above 1 starts @lab's own kernel
   * threads, which split convolutions and matrix products (with the FMA kernels; see `fma`). In a
   * browser with relaxed SIMD a number does the same (above 1 on a cross-origin isolated page, where
   * workers can share memory) instead of tfjs's threaded build, which @lab's kernels cannot run on.
   */
  threads?: number | 'auto';
  /**
   * Use relaxed SIMD's fused multiply-add in @lab's kernels where the runtime has it (Chrome 114+,
   * Node 22+). Default true. Node 20's V8 has relaxed SIMD behind a flag: initBackend then sets
   * --experimental-wasm-relaxed-simd (process-wide; it only lets WebAssembly modules use those
   * instructions). false leaves V8's flags alone and uses the plain SIMD kernels. A later call with
   * another value replaces the runtime object (see labRuntime), and the kernels follow it.
   */
  relaxedSimd?: boolean;
  /** Fall back to the cpu backend with a warning when WASM cannot start. Default true. */
  fallback?: boolean;
  /** Receives warnings (default console.warn). */
  warn?: (message: string) => void;
}

export interface BackendReport {
  backend: 'wasm' | 'cpu';
  simd: boolean;
  threads: number;
  /** Kernels @lab registered in this call (empty on later calls). */
  kernels: string[];
  /**
   * Whether @lab's WASM SIMD kernels that work in place on the backend's memory (the fused Adam
   * update) are bound; false on cpu and where the module cannot share that memory (tfjs's threaded
   * build), in which case those kernels run as JavaScript loops.
   */
  heapKernels: boolean;
  /** Whether those kernels use fused multiply-adds (relaxed SIMD); convolutions run on them then. */
  fma: boolean;
  /** Why WASM was not used, when it was not. */
  fallbackReason?: string;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** In Node 20, V8 has relaxed SIMD behind a flag; Node 22+ and browsers need nothing. */
function enableRelaxedSimdInNode(): void {
  if (!isNode()) return;
  const v8 = nodeBuiltin<{ setFlagsFromString?: (flags: string) => void }>('node:v8');
  try {
    v8?.setFlagsFromString?.('--experimental-wasm-relaxed-simd');
  } catch {
    // an unknown flag in a later Node, where relaxed SIMD needs none
  }
}

/**
 * tfjs's cpu backend prints, on its first tensor in Node, advice to install tfjs-node, which @lab
 * cannot use (its kernels are for wasm): here the cpu backend is chosen deliberately (a reference,
 * or a fallback that initBackend warns about itself). Only that one-time banner is dropped, through
 * the backend's own flag; tfjs's other warnings stay.
 */
function skipNodeBackendBanner(): void {
  const cpu = engine().registry.cpu as { firstUse?: boolean } | undefined;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

/** Registers @lab's kernels and gradients, selects and initialises the backend, and reports it. */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const {
    backend = 'wasm',
    wasmPaths,
    threads = 'auto',
    relaxedSimd = true,
    fallback = true,
    warn = console.warn,
  } = options;
  if (backend !== 'wasm' && backend !== 'cpu') {
    throw new TypeError(`initBackend: backend must be 'wasm' or 'cpu', got ${JSON.stringify(backend)}`);
  }
  if (threads !== 'auto' && (!Number.isInteger(threads) || threads < 1)) {
    throw new TypeError(`initBackend: threads must be 'auto' or a positive integer, got ${threads}`);
  }
  if (typeof relaxedSimd !== 'boolean') {
    throw new TypeError(`initBackend: relaxedSimd must be a boolean, got ${JSON.stringify(relaxedSimd)}`);
  }
  const { kernels } = registerLab();
  if (relaxedSimd) enableRelaxedSimdInNode();
  if (backend === 'cpu') {
    await setBackend('cpu');
    await ready();
    skipNodeBackendBanner();
    installRuntime(tfBackend(), { relaxedSimd, threads: 1 });
    return { backend: 'cpu', simd: false, threads: 1, kernels, heapKernels: false, fma: false };
  }
  if (wasmPaths !== undefined) setWasmPaths(wasmPaths as string);
  // tfjs-wasm's threaded build loads its worker from a blob URL, which Node cannot run. In a browser,
  // a number of threads asked for where @lab's threads can run (relaxed SIMD; shared memory for more
  // than one) takes tfjs's single-threaded build too, so that @lab's heap and FMA kernels bind to its
  // memory (they cannot import the threaded build's shared one) and @lab's threads split the work.
  const labThreadsInBrowser =
    !isNode() && typeof threads === 'number' && relaxedSimd && (threads === 1 || ConvThreads.available());
  if (isNode() || labThreadsInBrowser) env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (typeof threads === 'number') setThreadsCount(threads);
  let reason: string | undefined;
  try {
    if (getBackend() !== 'wasm' && !(await setBackend('wasm'))) reason = 'setBackend("wasm") returned false';
    await ready();
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  if (reason === undefined && getBackend() === 'wasm') {
    const simd = Boolean(await env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const multithread = Boolean(await env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    // @lab's own kernel threads for convolutions and matrix products (conv-threads.ts)
    const ownThreads = (isNode() || labThreadsInBrowser) && !multithread;
    const labThreads = ownThreads && typeof threads === 'number' ? threads : 1;
    const runtime = installRuntime(tfBackend(), { relaxedSimd, threads: labThreads });
    const fma = runtime.heapKernelsFma();
    // workers start asynchronously (in a browser only once this thread yields): wait for them here
    await runtime.convThreads()?.whenReady();
    const tfjsThreads = multithread ? getThreadsCount() : 1;
    return {
      backend: 'wasm',
      simd,
      threads: ownThreads && fma ? runtime.threadCount() : tfjsThreads,
      kernels,
      heapKernels: runtime.heapKernels() !== null,
      fma,
    };
  }
  const why = reason ?? `backend is ${getBackend()}`;
  if (!fallback) throw new Error(`initBackend: the wasm backend failed to start: ${why}`);
  warn(`@lab/core: the wasm backend failed to start (${why}); falling back to the slower cpu backend`);
  await setBackend('cpu');
  await ready();
  skipNodeBackendBanner();
  installRuntime(tfBackend(), { relaxedSimd, threads: 1 });
  return {
    backend: 'cpu',
    simd: false,
    threads: 1,
    kernels,
    heapKernels: false,
    fma: false,
    fallbackReason: why,
  };
}
