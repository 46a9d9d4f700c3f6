// The browser side of `pnpm bench ... --runtime chromium` (bundled by chromium-bundle.ts, opened by
// chromium.ts): one speed workload at one thread count, on the page's own WASM backend, with the same
// workload and timing code as the Node run. Asked through the query string
// (?workload=lenet300&threads=2&iters=50); publishes its result, or the error, as window.labBench.
import { initBackend, labRuntime } from '@lab/core';
import { timeSteps } from './speed-steps.js';
import { WORKLOADS } from './workloads.js';

/** What the page publishes; chromium.ts reads it back. */
export interface PageResult {
  workload: string;
  /** Threads asked for and the threads the backend reports using. */
  threads: number;
  ran: number;
  ms: number;
  leaked: number;
  flops: number;
  backend: string;
  simd: boolean;
  heapKernels: boolean;
  fma: boolean;
  crossOriginIsolated: boolean;
  /** The browser's navigator.hardwareConcurrency (tfjs's default thread count). */
  hardwareConcurrency: number;
  fmaPeakGflops: number | null;
  userAgent: string;
}

export type PagePublished = { result: PageResult } | { error: string };

declare global {
  interface Window {
    labBench?: PagePublished;
  }
}

function positiveInt(query: URLSearchParams, key: string): number {
  const text = query.get(key) ?? '';
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1)
    throw new Error(`query parameter ${key}: expected a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

async function run(query: URLSearchParams): Promise<PageResult> {
  const workload = query.get('workload') ?? '';
  if (!Object.hasOwn(WORKLOADS, workload))
    throw new Error(`query parameter workload: unknown ${JSON.stringify(workload)}`);
  const threads = positiveInt(query, 'threads');
  const iters = positiveInt(query, 'iters');
  const report = await initBackend({
    backend: 'wasm',
    wasmPaths: new URL('./wasm/', location.href).href,
    threads,
    fallback: false,
  });
  const w = WORKLOADS[workload as keyof typeof WORKLOADS](0);
  try {
    const timed = timeSteps(w, iters);
    return {
      workload,
      threads,
      ran: report.threads,
      ms: timed.ms,
      leaked: timed.leaked,
      flops: w.flops,
      backend: report.backend,
      simd: report.simd,
      heapKernels: report.heapKernels,
      fma: report.fma,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      hardwareConcurrency: navigator.hardwareConcurrency,
      fmaPeakGflops: labRuntime().fmaPeakGflops(),
      userAgent: navigator.userAgent,
    };
  } finally {
    w.dispose();
  }
}

run(new URLSearchParams(location.search)).then(
  (result) => {
    window.labBench = { result };
  },
  (e: unknown) => {
    window.labBench = { error: e instanceof Error ? e.message : String(e) };
  },
);
