// The demo in headless Chromium (Debian's /usr/bin/chromium through playwright-core), page by page:
// every page loads on the WASM SIMD backend with @lab's kernels, the ring GAN trains leak-free, the
// divergence explorer shows the values @lab/divergences computes here in Node for the same
// distributions, an adversarial example flips the classifier's prediction, and a sentence parses.
// Screenshots go to dist/screenshots/<page>.png, or with DEMO_SCREENSHOTS=1 (`pnpm screenshots`) to
// the committed screenshots/ that the README shows. dist/ is built by the global
// setup (src/global-setup.ts). Skipped, with a message, where no Chromium is installed.
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { serve } from '../scripts/serve.mjs';
import { divergenceTable } from './divergence-table.js';
import { divergenceValues, showValue } from './divergence-values.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shots = process.env.DEMO_SCREENSHOTS ? join(root, 'screenshots') : join(root, 'dist', 'screenshots');
const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
if (!executablePath) console.warn('demo test skipped: no Chromium (apt-get install chromium)');

// generous: a loaded 2-core CI machine runs Chromium, WASM compilation and training slowly
const PAGE_TIMEOUT = 300_000;

interface Report {
  backend: string;
  simd: boolean;
  threads: number;
  heapKernels: boolean;
  fma: boolean;
}
type Demo = Record<string, unknown> & { error?: string; report?: Report };

describe.skipIf(!executablePath)('the demo in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    server = await serve(join(root, 'dist'));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'], headless: true });
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  /** Opens `#hash` with ?auto, waits until the page has published `key`; fails on any page error. */
  async function open(
    hash: string,
    key: string,
    query = 'auto',
  ): Promise<{ page: Page; demo: Demo; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}?${query}#${hash}`);
    await page.waitForFunction(
      (k) => window.labDemo !== undefined && (k in window.labDemo || 'error' in window.labDemo),
      key,
      { timeout: PAGE_TIMEOUT, polling: 250 },
    );
    const demo = (await page.evaluate(() => window.labDemo)) as Demo;
    expect(demo.error).toBeUndefined();
    expect(errors).toEqual([]);
    // Chromium 114+ has relaxed SIMD: convolutions run on @lab's FMA kernel
    expect(demo.report).toMatchObject({
      backend: 'wasm',
      simd: true,
      threads: 1,
      heapKernels: true,
      fma: true,
    });
    expect(demo.support).toEqual({ wasm: true, simd: true });
    expect(await page.locator('#support').textContent()).toBe('');
    return { page, demo, errors };
  }

  it('ring: trains a GAN for 200 steps without leaking tensors', async () => {
    const { page, demo } = await open('ring', 'ring', 'auto&steps=200');
    const ring = demo.ring as {
      steps: number;
      dLoss: number;
      gLoss: number;
      leakedTensors: number;
      msPerStep: number;
    };
    // 200 steps are too few to cover the ring; the losses must be finite and the tensor count flat
    expect(ring.steps).toBe(200);
    expect(Number.isFinite(ring.dLoss) && Number.isFinite(ring.gLoss)).toBe(true);
    expect(ring.leakedTensors).toBe(0);
    expect(await page.locator('#page-ring').isVisible()).toBe(true);
    expect(await page.locator('#page-parse').isVisible()).toBe(false);
    console.log(`demo ring: ${ring.msPerStep.toFixed(1)} ms per GAN step`);
    await page.screenshot({ path: join(shots, 'ring.png'), fullPage: true });
    await page.close();
  });

  it('divergences: shows the values @lab/divergences computes for the distributions shown', async () => {
    const { page } = await open('divergences', 'divergences');
    type State = { p: number[]; q: number[]; selected: string };
    // edit both: Q becomes a uniform, a bar of P is dragged up, another divergence is selected
    await page.selectOption('#div-q-family', 'uniform');
    const bars = page.locator('#div-p-bars');
    const box = (await bars.boundingBox())!;
    await page.mouse.move(box.x + box.width * (12.5 / 16), box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.up();
    await page.locator('tr[data-name="Jensen-Shannon"]').click();
    const state = (await page.evaluate(() => window.labDemo!.divergences)) as State;
    expect(state.selected).toBe('Jensen-Shannon');
    expect(state.p[12]).toBeGreaterThan(0.1); // the dragged bar
    expect(state.q[5]).toBeCloseTo(state.q[8]!, 12); // a uniform on [3, 10]
    const expected = divergenceValues(divergenceTable(), state.p, state.q, { epsilon: 0.5 });
    const shown = await page.$$eval('#div-table tr[data-name]', (rows) =>
      rows.map((r) => [r.getAttribute('data-name'), r.children[1]!.textContent]),
    );
    expect(shown).toEqual(expected.fDivergences.map((d) => [d.name, showValue(d.value)]));
    const w = (await page.locator('#div-wasserstein').textContent())!;
    const [exact, entropic] = [...w.matchAll(/\) ([0-9.e+-]+)|exact ([0-9.e+-]+)/g)].map((m) =>
      Number(m[1] ?? m[2]),
    );
    expect(showValue(exact!)).toBe(showValue(expected.wasserstein));
    // Sinkhorn runs in float32 on WASM there and on the CPU backend here: equal to display precision
    expect(Math.abs(entropic! - expected.sinkhorn)).toBeLessThanOrEqual(1e-3 * expected.sinkhorn + 1e-6);
    expect(entropic!).toBeGreaterThanOrEqual(expected.wasserstein - 1e-3); // entropic cost >= exact
    console.log(
      `demo divergences: W1 ${showValue(expected.wasserstein)}, Sinkhorn ${showValue(expected.sinkhorn)}`,
    );
    await page.screenshot({ path: join(shots, 'divergences.png'), fullPage: true });
    await page.close();
  });

  it('adversarial: PGD within the epsilon ball flips a correct prediction, leak-free', async () => {
    const { page, demo } = await open('adversarial', 'adversarial');
    const r = demo.adversarial as {
      label: number;
      before: number;
      epsilon: number;
      fgsm: { after: number; linf: number };
      pgd: { after: number; linf: number };
      leakedTensors: number;
    };
    expect(r.before).toBe(r.label); // the attacked image was classified correctly
    expect(r.epsilon).toBe(0.1);
    expect(r.pgd.after).not.toBe(r.label); // and PGD at epsilon 0.1 flips it
    expect(r.pgd.linf).toBeLessThanOrEqual(r.epsilon + 1e-6);
    expect(r.fgsm.linf).toBeLessThanOrEqual(r.epsilon + 1e-6);
    expect(r.leakedTensors).toBe(0);
    expect(await page.locator('#adv-verdict').textContent()).toContain('flipped');
    // the slider drives the attack: at epsilon 0 nothing changes and the prediction holds
    await page.locator('#adv-epsilon').fill('0');
    await page.waitForFunction(() =>
      document.querySelector('#adv-verdict')?.textContent?.includes('ε = 0.00'),
    );
    expect(await page.locator('#adv-verdict').textContent()).toContain('held');
    await page.locator('#adv-epsilon').fill('0.1');
    await page.waitForFunction(() =>
      document.querySelector('#adv-verdict')?.textContent?.includes('ε = 0.10'),
    );
    console.log(`demo adversarial: image ${JSON.stringify(r)}`);
    await page.screenshot({ path: join(shots, 'adversarial.png'), fullPage: true });
    await page.close();
  });

  it('parse: parses a sentence into one single-rooted tree and offers the CoNLL-U', async () => {
    const { page, demo } = await open('parse', 'parse');
    const parse = demo.parse as { sentences: number; conllu: string; ms: number };
    expect(parse.sentences).toBe(1);
    const rows = parse.conllu.split('\n').filter((l) => /^\d+\t/.test(l));
    expect(rows.length).toBe(11); // ten words and the full stop
    const heads = rows.map((l) => Number(l.split('\t')[6]));
    expect(heads.filter((h) => h === 0)).toHaveLength(1);
    expect(heads.every((h) => h >= 0 && h <= rows.length)).toBe(true);
    expect(rows.find((l) => l.split('\t')[1] === 'parser')?.split('\t')[3]).toBe('NOUN');
    // the download link holds exactly the CoNLL-U shown
    const link = page.locator('#conllu-download');
    expect(await link.isVisible()).toBe(true);
    const blob = await link.evaluate(async (a: HTMLAnchorElement) => (await fetch(a.href)).text());
    expect(blob).toBe(parse.conllu);
    // user text is text, never markup; a long sentence scrolls instead of squeezing its words
    const long =
      '<img src=x onerror="window.injected=1"> The committee , which met on Tuesday in the old town hall , decided after a long debate that the new bridge over the river would be built next year .';
    await page.fill('#text', long);
    await page.click('#parse');
    await page.waitForFunction(
      () => document.querySelector('#conllu')?.textContent?.includes('committee'),
      null,
      {
        timeout: PAGE_TIMEOUT,
      },
    );
    expect(await page.evaluate(() => 'injected' in window)).toBe(false);
    expect(await page.locator('#arcs img').count()).toBe(0);
    const scroll = await page
      .locator('#arcs .arcs')
      .first()
      .evaluate((d) => [d.scrollWidth, d.clientWidth]);
    expect(scroll[0]).toBeGreaterThan(scroll[1]!);
    console.log(`demo parse: ${parse.ms.toFixed(1)} ms`);
    await page.screenshot({ path: join(shots, 'parse.png'), fullPage: true });
    await page.close();
  });

  it('says so plainly when WebAssembly SIMD is missing, and the pages still work', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // a browser without SIMD: every small module with a SIMD (0xfd-prefixed) instruction fails
    // validation, which is how both the page and tfjs probe for it
    await page.addInitScript(() => {
      const validate = WebAssembly.validate;
      WebAssembly.validate = (bytes: BufferSource) => {
        const b = new Uint8Array(ArrayBuffer.isView(bytes) ? bytes.buffer : bytes);
        return b.length < 200 && b.includes(0xfd) ? false : validate(bytes);
      };
    });
    await page.goto(`${base}?auto#divergences`);
    await page.waitForFunction(
      () => window.labDemo?.divergences !== undefined || window.labDemo?.error,
      null,
      {
        timeout: PAGE_TIMEOUT,
      },
    );
    const demo = (await page.evaluate(() => window.labDemo)) as Demo;
    expect(demo.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(demo.support).toEqual({ wasm: true, simd: false });
    expect(demo.report).toMatchObject({ simd: false });
    expect(await page.locator('#support').textContent()).toContain('has no SIMD');
    expect(await page.locator('#support').isVisible()).toBe(true);
    expect(await page.locator('#div-table tr[data-name="KL"] td.num').textContent()).toMatch(/^\d/);
    await page.screenshot({ path: join(shots, 'no-simd.png') });
    await page.close();
  });

  it('names a bad URL option instead of running with it', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}?auto&steps=abc#ring`);
    await page.waitForFunction(() => window.labDemo?.error !== undefined, null, { timeout: PAGE_TIMEOUT });
    expect(await page.locator('#backend').textContent()).toBe(
      'failed: RangeError: ?steps=abc: expected a whole number from 1 to 100000',
    );
    await page.close();
  });

  it('uses WASM threads on a cross-origin isolated page', async () => {
    const isolated = await serve(join(root, 'dist'), { isolated: true });
    try {
      const page = await browser.newPage();
      const { port } = isolated.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/?auto&steps=50&threads=2#ring`);
      await page.waitForFunction(() => window.labDemo?.ring !== undefined || window.labDemo?.error, null, {
        timeout: PAGE_TIMEOUT,
      });
      const r = (await page.evaluate(() => window.labDemo)) as Demo & { ring: { leakedTensors: number } };
      expect(r.error).toBeUndefined();
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      // tfjs's threaded build: its memory is not exported (workers share it), so @lab's heap kernels
      // fall back to JavaScript; its worker pool holds hardwareConcurrency / 2 threads (at most 4)
      expect(r.report).toMatchObject({ backend: 'wasm', simd: true, heapKernels: false, fma: false });
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      expect(r.report!.threads).toBe(Math.min(2, Math.max(1, Math.floor(cores / 2))));
      expect(r.ring.leakedTensors).toBe(0);
      await page.close();
    } finally {
      isolated.close();
    }
  });
});
