// The demo page in headless Chromium (Debian's /usr/bin/chromium through playwright-core): the WASM
// SIMD backend with @lab's kernels starts in a browser, a GAN trains leak-free, the shipped parser
// parses text. Skipped, with a message, where no Chromium is installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { serve } from '../scripts/serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
if (!executablePath) console.warn('demo test skipped: no Chromium (apt-get install chromium)');

interface DemoResult {
  error?: string;
  report: { backend: string; simd: boolean; threads: number; heapKernels: boolean; fma: boolean };
  parse: { sentences: number; conllu: string; ms: number };
  ring: {
    steps: number;
    modes: number;
    dLoss: number;
    gLoss: number;
    leakedTensors: number;
    msPerStep: number;
  };
}

describe.skipIf(!executablePath)('the demo page in Chromium', () => {
  let server: Server;
  let browser: Browser;
  beforeAll(async () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    server = await serve(join(root, 'dist'));
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'], headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('starts WASM SIMD, trains a GAN without leaking tensors and parses text', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/?auto&steps=200`);
    await page.waitForFunction(() => window.labDemo !== undefined, null, { timeout: 240_000 });
    const r = (await page.evaluate(() => window.labDemo)) as unknown as DemoResult;
    expect(r.error).toBeUndefined();
    expect(errors).toEqual([]);
    // Chromium 114+ has relaxed SIMD: convolutions run on @lab's FMA kernel
    expect(r.report).toMatchObject({ backend: 'wasm', simd: true, threads: 1, heapKernels: true, fma: true });
    // one sentence, one root, every head inside the sentence
    expect(r.parse.sentences).toBe(1);
    const rows = r.parse.conllu.split('\n').filter((l) => /^\d+\t/.test(l));
    expect(rows.length).toBe(11); // ten words and the full stop
    const heads = rows.map((l) => Number(l.split('\t')[6]));
    expect(heads.filter((h) => h === 0)).toHaveLength(1);
    expect(heads.every((h) => h >= 0 && h <= rows.length)).toBe(true);
    expect(rows.find((l) => l.split('\t')[1] === 'parser')?.split('\t')[3]).toBe('NOUN');
    // 200 steps are too few to cover the ring; the losses must be finite and the tensor count flat
    expect(r.ring.steps).toBe(200);
    expect(Number.isFinite(r.ring.dLoss) && Number.isFinite(r.ring.gLoss)).toBe(true);
    expect(r.ring.leakedTensors).toBe(0);
    console.log(`demo: ${r.ring.msPerStep.toFixed(1)} ms per GAN step, parse ${r.parse.ms.toFixed(1)} ms`);
    await page.screenshot({ path: join(root, 'dist', 'screenshot.png'), fullPage: true });
  });

  it('uses WASM threads on a cross-origin isolated page', async () => {
    const isolated = await serve(join(root, 'dist'), { isolated: true });
    try {
      const page = await browser.newPage();
      const { port } = isolated.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/?auto&steps=50&threads=2`);
      await page.waitForFunction(() => window.labDemo !== undefined, null, { timeout: 240_000 });
      const r = (await page.evaluate(() => window.labDemo)) as unknown as DemoResult;
      expect(r.error).toBeUndefined();
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      // tfjs's threaded build: its memory is not exported (workers share it), so @lab's heap kernels
      // fall back to JavaScript; its worker pool holds hardwareConcurrency / 2 threads (at most 4)
      expect(r.report).toMatchObject({ backend: 'wasm', simd: true, heapKernels: false, fma: false });
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      expect(r.report.threads).toBe(Math.min(2, Math.max(1, Math.floor(cores / 2))));
      expect(r.ring.leakedTensors).toBe(0);
      expect(r.parse.sentences).toBe(1);
    } finally {
      isolated.close();
    }
  });
});
