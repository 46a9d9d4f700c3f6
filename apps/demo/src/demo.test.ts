// The demo in headless Chromium (Debian's /usr/bin/chromium through playwright-core), page by page:
// every page loads on the WASM SIMD backend with @lab's kernels, the ring GAN trains leak-free, the
// divergence explorer shows the values @lab/divergences computes here in Node for the same
// distributions, an adversarial example flips the classifier's prediction, and a sentence parses.
// Screenshots go to dist/screenshots/<page>.png, or with DEMO_SCREENSHOTS=1 (`pnpm screenshots`) to
// the committed screenshots/ that the README shows. dist/ is built by the global
// setup (src/global-setup.ts). Skipped, with a message, where no Chromium is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkpointToBytes, parseSafetensors, readCheckpoint, serializeSafetensors } from '@lab/core';
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

// `lab`, built by the workspace build: the GAN page's checkpoint must be one `lab gan sample` reads
const labCli = join(root, '..', 'cli', 'dist', 'lab.js');

// GAN steps per net on the Fashion-MNIST page: a few in the test; `DEMO_GAN_STEPS=300 pnpm screenshots`
// trains long enough for the README's screenshot to show shapes
const GAN_STEPS = Number(process.env.DEMO_GAN_STEPS ?? 3);

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

  it('fashion-gan: DCGAN (baseline and modern recipe) and WGAN-GP train in a worker leak-free; the checkpoint samples in lab and continues here', async () => {
    const { page, demo } = await open('fashion-gan', 'gan', `auto&gan-steps=${GAN_STEPS}`);
    type Trained = {
      step: number;
      tensorsAtStart: number;
      tensorsAtSlices: number[];
      metrics: Record<string, number[]>;
      stepsPerSecond: number;
      sampled: 'G' | 'Gema';
    };
    const gan = demo.gan as {
      report: Report;
      gan: Trained;
      'wgan-gp': Trained;
      'gan-modern': Trained;
      checkpoint: { step: number; bytes: number };
    };
    // the worker runs its own WASM SIMD backend with @lab's kernels
    expect(gan.report).toMatchObject({
      backend: 'wasm',
      simd: true,
      threads: 1,
      heapKernels: true,
      fma: true,
    });
    for (const [kind, keys] of [
      ['gan', ['dLoss', 'gLoss']],
      ['wgan-gp', ['wEstimate', 'criticLoss', 'penalty', 'gLoss']],
      ['gan-modern', ['dLoss', 'gLoss']],
    ] as const) {
      const r = gan[kind];
      expect(r.step).toBe(GAN_STEPS);
      // the modern recipe's grid is its EMA generator's
      expect(r.sampled).toBe(kind === 'gan-modern' ? 'Gema' : 'G');
      for (const k of keys) {
        expect(r.metrics[k]).toHaveLength(GAN_STEPS);
        expect(r.metrics[k]!.every(Number.isFinite)).toBe(true);
      }
      // the worker's tensor count after every slice is the count before the first step
      expect(r.tensorsAtSlices.length).toBeGreaterThan(0);
      expect(new Set([r.tensorsAtStart, ...r.tensorsAtSlices])).toEqual(new Set([r.tensorsAtStart]));
      console.log(`demo fashion-gan: ${kind} ${r.stepsPerSecond.toFixed(2)} steps/s (width 16, batch 32)`);
    }
    // the checkpoint offered for download is the modern DCGAN's at its last step, in the CLI's format
    const link = page.locator('#gan-download');
    expect(await link.isVisible()).toBe(true);
    const bytes = Buffer.from(
      await link.evaluate(async (a: HTMLAnchorElement) => {
        const b = new Uint8Array(await (await fetch(a.href)).arrayBuffer());
        let s = '';
        for (const x of b) s += String.fromCharCode(x);
        return btoa(s);
      }),
      'base64',
    );
    expect(bytes.length).toBe(gan.checkpoint.bytes);
    const info = readCheckpoint(new Uint8Array(bytes));
    expect(info.step).toBe(GAN_STEPS);
    expect(info.config).toMatchObject({
      arch: 'dcgan',
      width: 16,
      latent: 100,
      padding: 'pytorch',
      loss: 'hinge',
      recipe: { recipe: 'modern', loss: 'hinge', spectralNorm: true },
    });
    expect([...info.tensors.keys()].some((k) => k.startsWith('module.Gema.'))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'demo-gan-'));
    try {
      const file = join(dir, 'modern.safetensors');
      writeFileSync(file, bytes);
      if (existsSync(labCli)) {
        // the raw generator, and the EMA one as `lab gan sample --ema` draws it
        for (const ema of [[], ['--ema']]) {
          const png = join(dir, `samples${ema.join('')}.png`);
          const r = spawnSync(
            process.execPath,
            [
              labCli,
              'gan',
              'sample',
              '--checkpoint',
              file,
              '--count',
              '4',
              '--out',
              png,
              '--backend',
              'cpu',
              ...ema,
            ],
            { encoding: 'utf8' },
          );
          expect(r.status, r.stderr).toBe(0);
          expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
        }
      } else console.warn(`demo fashion-gan: ${labCli} not built, lab gan sample not run`);

      // from here on offline: the page has what it needs
      await page.context().setOffline(true);
      // uploads: a broken file and a hostile config are refused with the field named, as text
      const upload = page.locator('#gan-upload');
      const refused = async (name: string, buffer: Buffer, expected: string) => {
        await upload.setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
        await page.waitForFunction(
          (t) => document.querySelector('#gan-error')?.textContent?.includes(t),
          expected,
          { timeout: PAGE_TIMEOUT },
        );
      };
      await refused(
        '<img src=x onerror="window.injected=1">.safetensors',
        Buffer.from('not a checkpoint'),
        'safetensors',
      );
      const huge = checkpointToBytes({ config: { arch: 'dcgan', width: 100_000, latent: 100 } });
      await refused('huge.safetensors', Buffer.from(huge), 'config.width');
      expect(await page.locator('#gan-error').textContent()).toContain('is not an integer in [1, 128]');
      expect(await page.locator('#gan-error img').count()).toBe(0);
      // an unknown recipe is refused with the field named
      const config = info.config as Record<string, unknown>;
      const file0 = parseSafetensors(new Uint8Array(bytes));
      const lab = JSON.parse(file0.metadata.lab!);
      lab.config = { ...config, recipe: { ...(config.recipe as object), recipe: 'postmodern' } };
      const postmodern = serializeSafetensors(
        Object.fromEntries(
          Object.entries(file0.tensors).map(([k, t]) => [
            k,
            { dtype: t.dtype, shape: t.shape, data: t.bytes.slice() },
          ]),
        ),
        { ...file0.metadata, lab: JSON.stringify(lab) },
      );
      await refused('postmodern.safetensors', Buffer.from(postmodern), 'config.recipe.recipe');
      // the downloaded checkpoint continues from its step, with its recipe
      await page.selectOption('#gan-kind', 'wgan-gp');
      await upload.setInputFiles(file);
      await page.waitForFunction(
        (from) => {
          const m = /continued from modern\.safetensors: DCGAN \(modern recipe\) width 16: step (\d+)/.exec(
            document.querySelector('#gan-status')?.textContent ?? '',
          );
          return m !== null && Number(m[1]) > from;
        },
        GAN_STEPS,
        { timeout: PAGE_TIMEOUT, polling: 250 },
      );
      expect(await page.locator('#gan-error').textContent()).toBe('');
      expect(await page.locator('#gan-kind').inputValue()).toBe('gan');
      expect(await page.locator('#gan-recipe').inputValue()).toBe('modern');
      expect(await page.evaluate(() => 'injected' in window)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await page.locator('#gan-pause').click();
    await page.waitForFunction(
      () => document.querySelector('#gan-status')?.textContent?.includes('(paused)'),
      null,
      { timeout: PAGE_TIMEOUT },
    );
    await page.screenshot({ path: join(shots, 'fashion-gan.png'), fullPage: true });
    // stopping frees every tensor the session made
    await page.locator('#gan-stop').click();
    await page.waitForFunction(() => window.labDemo?.ganStopped !== undefined, null, {
      timeout: PAGE_TIMEOUT,
    });
    const stopped = (await page.evaluate(() => window.labDemo!.ganStopped)) as {
      numTensors: number;
      beforeTraining: number;
    };
    expect(stopped.numTensors).toBe(stopped.beforeTraining);
    await page.close();
  });

  it('finetune: probe, full and gradual learn task B from 10 labels per class, leak-free', async () => {
    const { page, demo } = await open('finetune', 'finetune');
    const r = demo.finetune as {
      labelsPerClass: number;
      epochs: number;
      testImages: number;
      results: { strategy: string; curve: number[]; final: number }[];
      leakedTensors: number;
    };
    expect(r.labelsPerClass).toBe(10);
    expect(r.testImages).toBeGreaterThan(900);
    expect(r.results.map((x) => x.strategy)).toEqual(['probe', 'full', 'gradual']);
    for (const x of r.results) {
      expect(x.curve).toHaveLength(r.epochs);
      // chance is 20%: the pretrained features must carry each strategy far above it
      expect(x.final).toBeGreaterThan(0.5);
      expect(x.final).toBe(x.curve.at(-1));
    }
    expect(r.leakedTensors).toBe(0);
    expect(await page.locator('#ft-results tr').count()).toBe(3);
    console.log(
      `demo finetune: ${r.results.map((x) => `${x.strategy} ${(100 * x.final).toFixed(1)}%`).join(', ')}`,
    );
    await page.screenshot({ path: join(shots, 'finetune.png'), fullPage: true });
    await page.close();
  });

  it('compress: sensitivity, then prune / retrain / share / tune / Huffman shrink the net at a bounded accuracy cost', async () => {
    const { page, demo } = await open('compress', 'compress');
    type Stage = { name: string; bytes: number; accuracy: number };
    const r = demo.compress as {
      baseline: number;
      sensitivity: { rows: { layer: string; sparsity: number; accuracy: number }[] };
      compression: { sparsities: Record<string, number>; stages: Stage[]; ratio: number; fileBytes: number };
      shippedBytes: number;
      leakedTensors: number;
    };
    expect(r.baseline).toBeGreaterThan(0.95);
    expect(r.sensitivity.rows).toHaveLength(3 * 20); // three layers at 0, 5, ..., 95%
    const [dense, pruned, retrained, shared, tuned, huffman, file] = r.compression.stages as [
      Stage,
      Stage,
      Stage,
      Stage,
      Stage,
      Stage,
      Stage,
    ];
    expect(r.compression.stages.map((x) => x.name)).toEqual([
      'float32',
      'pruned',
      'retrained 2 epochs',
      'shared (5-bit codes)',
      'centroids tuned 2 epochs',
      'Huffman-coded',
      'the file (with header)',
    ]);
    expect(dense.bytes).toBe(4 * (784 * 300 + 300 * 100 + 100 * 10 + 410));
    expect(pruned.bytes).toBeLessThan(dense.bytes);
    expect(retrained.bytes).toBe(pruned.bytes);
    expect(shared.bytes).toBeLessThan(pruned.bytes);
    expect(huffman.bytes).toBeLessThan(shared.bytes);
    expect(file.bytes).toBeLessThan(r.shippedBytes);
    expect(r.compression.ratio).toBeGreaterThan(10);
    // pruning every layer as far as 2 points each allows costs more together; retraining wins it back
    expect(pruned.accuracy).toBeGreaterThan(0.5);
    expect(retrained.accuracy).toBeGreaterThan(pruned.accuracy);
    expect(retrained.accuracy).toBeGreaterThan(r.baseline - 0.02);
    expect(shared.accuracy).toBeGreaterThan(r.baseline - 0.03);
    expect(tuned.bytes).toBe(shared.bytes);
    expect(tuned.accuracy).toBeGreaterThan(r.baseline - 0.03);
    expect(huffman.accuracy).toBe(tuned.accuracy); // the file decodes to exactly the tuned weights
    expect(Object.values(r.compression.sparsities).every((s) => s > 0)).toBe(true);
    expect(r.leakedTensors).toBe(0);
    expect(await page.locator('#cmp-sensitivity').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(
      480,
    );
    expect(await page.locator('#cmp-stages tr').count()).toBe(7);
    // a tighter tolerance prunes less; offline, since the page has what it needs
    await page.context().setOffline(true);
    const kept = await page.locator('#cmp-sparsities').textContent();
    await page.selectOption('#cmp-tolerance', '0.005');
    await page.waitForFunction((k) => document.querySelector('#cmp-sparsities')?.textContent !== k, kept, {
      timeout: PAGE_TIMEOUT,
    });
    console.log(
      `demo compress: ${r.compression.stages.map((s) => `${s.name} ${s.bytes} B ${(100 * s.accuracy).toFixed(1)}%`).join('; ')}`,
    );
    await page.selectOption('#cmp-tolerance', '0.02');
    await page.waitForFunction((k) => document.querySelector('#cmp-sparsities')?.textContent === k, kept, {
      timeout: PAGE_TIMEOUT,
    });
    await page.screenshot({ path: join(shots, 'compress.png'), fullPage: true });
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
      // a number of threads on an isolated page: tfjs's single-threaded build with @lab's heap and FMA
      // kernels, and @lab's kernel threads as Web Workers on a shared memory (tfjs's threaded build
      // would turn @lab's kernels off)
      expect(r.report).toMatchObject({ backend: 'wasm', simd: true, heapKernels: true, fma: true });
      expect(r.report!.threads).toBe(2);
      expect(r.ring.leakedTensors).toBe(0);
      // the GAN's worker starts @lab's kernel threads too
      await page.goto(`http://127.0.0.1:${port}/?auto&gan-steps=1&threads=2#fashion-gan`);
      await page.waitForFunction(() => window.labDemo?.gan !== undefined || window.labDemo?.error, null, {
        timeout: PAGE_TIMEOUT,
      });
      const g = (await page.evaluate(() => window.labDemo)) as Demo & { gan: { report: Report } };
      expect(g.error).toBeUndefined();
      expect(g.gan.report).toMatchObject({ backend: 'wasm', simd: true, heapKernels: true, fma: true });
      expect(g.gan.report.threads).toBe(r.report!.threads);
      expect(await page.locator('#gan-worker').textContent()).toContain(
        `${r.report!.threads} thread(s) (cross-origin isolated)`,
      );
      await page.close();
    } finally {
      isolated.close();
    }
  });
});
