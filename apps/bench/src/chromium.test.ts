// `--runtime chromium` end to end: lenet300 in headless Chromium on the cross-origin isolated page,
// its JSON line beside the Node line's fields, and a page's error reaching the caller. Skipped, with a
// message, only where /usr/bin/chromium is absent. Timings are not checked (the machine is shared).
import { existsSync } from 'node:fs';
import { initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumRuns } from './chromium.js';
import { CHROMIUM_PATH } from './chromium-options.js';
import { speedBench } from './speed.js';

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) console.warn(`chromium tests skipped: no ${CHROMIUM_PATH} (apt-get install chromium)`);

// generous: a loaded 2-core CI machine starts Chromium, bundles and compiles WASM slowly
const TIMEOUT = 600_000;

describe.skipIf(!hasChromium)('speed workloads in Chromium', () => {
  let report: Awaited<ReturnType<typeof initBackend>>;
  beforeAll(async () => {
    report = await initBackend({ backend: 'wasm' });
  });

  it(
    "lenet300: one JSON line with runtime chromium, cross-origin isolated, the Node line's fields, no leak",
    async () => {
      const base = { iters: 2, peer: false, profile: false, report };
      // the page claims 4 cores, so that tfjs's threaded build may run 2 threads on a 2-vCPU machine
      const [line] = await speedBench('lenet300', {
        ...base,
        threads: [1, 2],
        runtimes: ['chromium'],
        chromiumCores: 4,
      });
      const [node] = await speedBench('lenet300', { ...base, iters: 1, threads: [1], runtimes: ['node'] });
      expect(line).toBeDefined();
      const c = line as Record<string, unknown>;
      expect(c).toMatchObject({
        workload: 'lenet300',
        runtime: 'chromium',
        cross_origin_isolated: true,
        backend: 'wasm',
        simd: true,
        iters: 2,
        leaked_tensors: 0,
        threads_tried: [1, 2],
        hardware_concurrency: 4,
        hardware_concurrency_overridden: true,
        gflop_per_iter: 0.14,
        peer_ms: null,
        peer_by_threads: [],
      });
      expect(String(c.browser)).toMatch(/^chromium \d+\./);
      // the same line as Node's, with Chromium's own fields added
      expect(node).toMatchObject({ runtime: 'node' });
      for (const key of Object.keys(node!)) expect(c, key).toHaveProperty(key);
      // tfjs ran the threads asked: 1, then 2 (hardwareConcurrency 4 / 2)
      const by = c.ours_by_threads as { threads: number; ran: number; ms: number }[];
      expect(by.map((r) => [r.threads, r.ran])).toEqual([
        [1, 1],
        [2, 2],
      ]);
      for (const r of by) expect(r.ms > 0 && Number.isFinite(r.ms)).toBe(true);
      expect(c.ours_ms).toBe(by[0]!.ms);
      expect(c.threads).toBe(1);
      const best = by.reduce((a, b) => (b.ms < a.ms ? b : a));
      expect(c.ours_best_ms).toBe(best.ms);
      expect(c.ours_gflops).toBeCloseTo(144_230_400 / 1e6 / (c.ours_ms as number), 0);
    },
    TIMEOUT,
  );

  it(
    "isolated, without the override: @lab's own threads (as many as asked) on its heap and FMA kernels; not isolated, one thread on @lab's kernels",
    async () => {
      const { pages } = await chromiumRuns({ workload: 'lenet300', threads: [2], iters: 1 });
      const [p] = pages;
      expect(p!.crossOriginIsolated).toBe(true);
      expect(p!.threads).toBe(2);
      // not tfjs's threaded build (at most hardwareConcurrency / 2 threads, and a shared memory that
      // @lab's heap kernels cannot import) but its single-threaded one, with @lab's Web Workers
      expect(p!.ran).toBe(2);
      expect(p!.leaked).toBe(0);
      expect(p!.heapKernels).toBe(true);
      expect(p!.fma).toBe(true);
      const plain = await chromiumRuns({ workload: 'lenet300', threads: [2], iters: 1, isolated: false });
      expect(plain.pages[0]).toMatchObject({
        crossOriginIsolated: false,
        threads: 2,
        ran: 1,
        heapKernels: true,
        fma: true,
        leaked: 0,
      });
      expect(plain.pages[0]!.fmaPeakGflops).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it(
    "rejects with the page's own message when the page fails",
    async () => {
      await expect(chromiumRuns({ workload: 'no-such-workload', threads: [1], iters: 1 })).rejects.toThrow(
        'chromium, no-such-workload at 1 thread(s): query parameter workload: unknown "no-such-workload"',
      );
    },
    TIMEOUT,
  );
});
