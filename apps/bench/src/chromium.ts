// `--runtime chromium`: our side of a speed workload in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core), on a cross-origin isolated page served here, so that the page has
// SharedArrayBuffer and tfjs's threaded WASM build: the figure the demo's users get. One fresh page
// per thread count (tfjs fixes its thread pool when the backend starts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labRuntime } from '@lab/core';
import { type Browser, chromium } from 'playwright-core';
import { bundleChromiumPage } from './chromium-bundle.js';
import { CHROMIUM_PATH, checkChromium } from './chromium-options.js';
import type { PagePublished, PageResult } from './chromium-page.js';
import { servePage } from './chromium-serve.js';
import type { OursSide, SpeedOptions } from './speed.js';
import { WARMUP_ITERS } from './speed-steps.js';

export interface ChromiumOptions {
  workload: string;
  threads: number[];
  iters: number;
  /** The browser's executable (default /usr/bin/chromium). */
  executablePath?: string;
  /** Serve the page with the isolation headers (default true; false: no SharedArrayBuffer, one thread). */
  isolated?: boolean;
  /** Ms a page may take per iteration, warm-up included (default 60 s: a loaded 2-core machine). */
  msPerIter?: number;
  /**
   * What the page's navigator.hardwareConcurrency says (default null: the browser's own). tfjs's
   * threaded build runs at most hardwareConcurrency / 2 threads (it assumes two hyperthreads per
   * core), so a 2-vCPU machine gets one thread whatever is asked; a diagnosis, not a user's setting.
   */
  hardwareConcurrency?: number | null;
}

export interface ChromiumRuns {
  /** One page's result per thread count, in order. */
  pages: PageResult[];
  /** Chromium's version, as the browser reports it. */
  browser: string;
}

/** Opens the page at one thread count and waits for what it publishes; a page error rejects with its message. */
async function runPage(browser: Browser, url: string, o: Required<ChromiumOptions>, threads: number) {
  const context = await browser.newContext();
  try {
    if (o.hardwareConcurrency !== null)
      await context.addInitScript((n: number) => {
        Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', {
          get: () => n,
          configurable: true,
        });
      }, o.hardwareConcurrency);
    const page = await context.newPage();
    const where = `chromium, ${o.workload} at ${threads} thread(s)`;
    // an uncaught error or a crash ends the wait at once instead of at the timeout
    const failed = new Promise<never>((_, reject) => {
      page.on('pageerror', (e) => reject(new Error(`${where}: page error: ${e.message}`)));
      page.on('crash', () => reject(new Error(`${where}: the page crashed`)));
    });
    const timeout = (WARMUP_ITERS + o.iters) * o.msPerIter + 120_000;
    const query = new URLSearchParams({
      workload: o.workload,
      threads: String(threads),
      iters: String(o.iters),
    });
    const published = (async () => {
      await page.goto(`${url}?${query}`, { timeout });
      await page.waitForFunction(() => window.labBench !== undefined, undefined, { timeout, polling: 500 });
      return (await page.evaluate(() => window.labBench)) as PagePublished;
    })();
    const out = await Promise.race([published, failed]);
    if ('error' in out) throw new Error(`${where}: ${out.error}`);
    return out.result;
  } finally {
    await context.close();
  }
}

/** Runs the workload in Chromium at every thread count: bundle, serve, launch, one page per count. */
export async function chromiumRuns(options: ChromiumOptions): Promise<ChromiumRuns> {
  const o: Required<ChromiumOptions> = {
    executablePath: CHROMIUM_PATH,
    isolated: true,
    msPerIter: 60_000,
    hardwareConcurrency: null,
    ...options,
  };
  checkChromium(o.executablePath);
  const dir = mkdtempSync(join(tmpdir(), 'lab-bench-chromium-'));
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof servePage>> | undefined;
  try {
    await bundleChromiumPage(dir);
    server = await servePage(dir, { isolated: o.isolated });
    // --no-sandbox: Chromium's sandbox cannot start as root in a container (the demo's test does the same)
    browser = await chromium.launch({
      executablePath: o.executablePath,
      args: ['--no-sandbox'],
      headless: true,
    });
    const pages: PageResult[] = [];
    for (const t of o.threads) pages.push(await runPage(browser, server.url, o, t));
    return { pages, browser: browser.version() };
  } finally {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** speed.ts's view of the Chromium runs: the same figures as the Node run's, and the page's own fields. */
export async function chromiumSide(
  workload: string,
  o: SpeedOptions,
  { isolated }: { isolated: boolean },
): Promise<OursSide> {
  const { pages, browser } = await chromiumRuns({
    workload,
    isolated,
    threads: o.threads,
    iters: o.iters,
    hardwareConcurrency: o.chromiumCores ?? null,
  });
  for (const p of pages)
    if (p.ran !== p.threads)
      process.stderr.write(
        `warning: ours in Chromium ran on ${p.ran} thread(s) when ${p.threads} were asked ` +
          (p.crossOriginIsolated
            ? `(tfjs runs at most navigator.hardwareConcurrency / 2 = ${Math.floor(p.hardwareConcurrency / 2)}; ` +
              '--chromium-cores overrides what the page sees)\n'
            : '(the page is not cross-origin isolated)\n'),
      );
  const first = pages[0]!;
  // the page measures the peak only where @lab's heap kernels are bound (not in tfjs's threaded
  // build); the Node process's figure is then the same core's
  const pagePeak = pages.find((p) => p.fmaPeakGflops !== null)?.fmaPeakGflops ?? null;
  return {
    runtime: isolated ? 'chromium' : 'chromium-not-isolated',
    runs: pages.map((p) => ({ threads: p.threads, ran: p.ran, ms: p.ms, leaked: p.leaked, flops: p.flops })),
    backend: first.backend,
    simd: first.simd,
    fmaPeakGflops: pagePeak ?? labRuntime().fmaPeakGflops(),
    extra: {
      cross_origin_isolated: pages.every((p) => p.crossOriginIsolated),
      heap_kernels: first.heapKernels,
      fma: first.fma,
      fma_peak_measured_in: pagePeak !== null ? 'chromium' : 'node',
      hardware_concurrency: first.hardwareConcurrency,
      hardware_concurrency_overridden: o.chromiumCores !== undefined,
      browser: `chromium ${browser}`,
    },
  };
}
