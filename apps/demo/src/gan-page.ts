// The Fashion-MNIST GAN page: settings (a DCGAN's recipe among them), start / pause / resume,
// checkpoint download and upload, the sample grid and the curves; the training itself runs in
// gan-worker.ts. With `auto` it trains a baseline DCGAN, WGAN-GP and a modern-recipe DCGAN for a few
// steps each, offers the last one's checkpoint, and publishes what the worker reported (the browser
// test reads it).
import type { BackendReport } from '@lab/core';
import { DEMO_LIMITS, type GanKind, type GanSettings, recipeOf } from './gan-config.js';
import type { FromWorker, ToWorker } from './gan-messages.js';
import { type GanRecipeName, pageRecipe, recipeLabel } from './gan-recipe.js';
import type { SampledGenerator } from './gan-session.js';
import { drawImageGrid, drawSeries } from './plot.js';

export const GAN_IMAGES = { base: './data/fashion-mnist-3000', count: 3000 } as const;

// A width-128, latent-1000 DCGAN checkpoint with Adam's moments is about 0.2 GB; nothing larger is read.
const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

export interface GanPageOptions {
  wasmPaths: string;
  threads: number | 'auto';
  /** Steps each net trains in auto mode. */
  autoSteps?: number;
  auto: boolean;
  publish: (key: string, value: unknown) => void;
}

/** What the page keeps of one run: per-step metrics and the worker's tensor counts at slice ends. */
interface Run {
  settings: GanSettings;
  startStep: number;
  steps: number[];
  metrics: Record<string, number[]>;
  tensorsAtSlices: number[];
  stepsPerSecond: number;
  loadedFrom?: string;
  /** The generator the sample grid shows. */
  sampled?: SampledGenerator;
}

/** The runs of the auto mode, in order: the last one's checkpoint is offered. */
const AUTO_RUNS = [
  { key: 'gan', kind: 'gan', recipe: 'baseline' },
  { key: 'wgan-gp', kind: 'wgan-gp', recipe: 'baseline' },
  { key: 'gan-modern', kind: 'gan', recipe: 'modern' },
] as const;

const modelName = (s: GanSettings) =>
  s.kind === 'gan' ? `DCGAN (${recipeLabel(recipeOf(s))} recipe)` : 'WGAN-GP';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function ganPage(o: GanPageOptions): Promise<void> {
  const worker = new Worker(new URL('./gan-worker.js', location.href), { type: 'module' });
  const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);
  const status = $('gan-status');
  const errorLine = $('gan-error');
  const pauseButton = $<HTMLButtonElement>('gan-pause');
  const download = $<HTMLAnchorElement>('gan-download');
  let run: Run | undefined;
  let running = false;
  let report: BackendReport | undefined;
  let readyTensors = 0;
  let revoke = () => {};
  // the auto run waits for the worker's replies; an error from the worker rejects every wait
  const waiters: {
    type: FromWorker['type'];
    resolve: (m: FromWorker) => void;
    reject: (e: Error) => void;
  }[] = [];
  const next = <T extends FromWorker['type']>(type: T) =>
    new Promise<Extract<FromWorker, { type: T }>>((resolve, reject) =>
      waiters.push({ type, resolve: resolve as (m: FromWorker) => void, reject }),
    );

  const recipeSelect = $<HTMLSelectElement>('gan-recipe');
  const diffAugmentBox = $<HTMLInputElement>('gan-diff-augment');
  const settings = (): GanSettings => {
    const kind = $<HTMLSelectElement>('gan-kind').value as GanKind;
    const base = { kind, width: Number($<HTMLSelectElement>('gan-width').value), latent: 100 };
    if (kind !== 'gan') return { ...base, padding: 'pytorch' };
    const { loss, recipe } = pageRecipe(recipeSelect.value as GanRecipeName, {
      diffAugment: diffAugmentBox.checked,
    });
    return { ...base, padding: 'pytorch', loss, recipe };
  };
  // the recipe is a DCGAN's: WGAN-GP trains with its own
  const showKind = (kind: GanKind) => {
    $<HTMLSelectElement>('gan-kind').value = kind;
    recipeSelect.disabled = kind !== 'gan';
    diffAugmentBox.disabled = kind !== 'gan';
  };
  $<HTMLSelectElement>('gan-kind').addEventListener('change', (e) =>
    showKind((e.target as HTMLSelectElement).value as GanKind),
  );
  const batchSize = () => Number($<HTMLSelectElement>('gan-batch').value);
  const setRunning = (on: boolean) => {
    running = on;
    pauseButton.textContent = on ? 'Pause' : 'Resume';
    pauseButton.disabled = run === undefined;
    $<HTMLButtonElement>('gan-checkpoint').disabled = run === undefined;
  };
  const draw = () => {
    if (!run) return;
    const m = run.metrics;
    if (run.settings.kind === 'gan') {
      drawSeries(
        $('gan-losses'),
        [
          { values: m.dLoss ?? [], xs: run.steps, colour: '#c0392b', label: 'D loss' },
          { values: m.gLoss ?? [], xs: run.steps, colour: '#1a5fd0', label: 'G loss' },
        ],
        'losses by generator step',
      );
      drawSeries($('gan-wasserstein'), [], 'Wasserstein estimate: WGAN-GP only');
    } else {
      drawSeries(
        $('gan-losses'),
        [
          { values: m.criticLoss ?? [], xs: run.steps, colour: '#c0392b', label: 'critic loss' },
          { values: m.gLoss ?? [], xs: run.steps, colour: '#1a5fd0', label: 'G loss' },
        ],
        'losses by generator step',
      );
      drawSeries(
        $('gan-wasserstein'),
        [{ values: m.wEstimate ?? [], xs: run.steps, colour: '#27ae60', label: "critic's W1 estimate" }],
        'E[f(real)] - E[f(fake)] by generator step',
      );
    }
  };
  const describe = () => {
    if (!run) return;
    const last = (k: string) => run!.metrics[k]?.at(-1);
    const numbers =
      run.settings.kind === 'gan'
        ? `D loss ${last('dLoss')?.toFixed(3)}, G loss ${last('gLoss')?.toFixed(3)}`
        : `W estimate ${last('wEstimate')?.toFixed(3)}, gradient penalty ${last('penalty')?.toFixed(3)}, G loss ${last('gLoss')?.toFixed(3)}`;
    const step = run.steps.at(-1) ?? run.startStep;
    status.textContent =
      (run.loadedFrom ? `continued from ${run.loadedFrom}: ` : '') +
      `${modelName(run.settings)} width ${run.settings.width}: step ${step}, ` +
      `${run.stepsPerSecond.toFixed(2)} steps/s, ${numbers}; ` +
      (run.sampled === 'Gema' ? "grid: the EMA generator's; " : '') +
      `worker tensors ${run.tensorsAtSlices.at(-1) ?? '-'}` +
      (running ? '' : ' (paused)');
  };

  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    switch (m.type) {
      case 'ready':
        report = m.report;
        readyTensors = m.numTensors;
        $('gan-worker').textContent =
          `worker: backend ${m.report.backend}, SIMD ${m.report.simd ? 'on' : 'off'}, ${m.report.threads} thread(s)` +
          ` (${crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated: one thread'}); ${m.images} Fashion-MNIST images`;
        break;
      case 'started':
        run = {
          settings: m.settings,
          startStep: m.step,
          steps: [],
          metrics: {},
          tensorsAtSlices: [],
          stepsPerSecond: 0,
        };
        run.loadedFrom = m.loadedFrom;
        showKind(m.settings.kind);
        if (m.settings.kind === 'gan') {
          // an uploaded checkpoint continues its own recipe: the controls show which
          const recipe = recipeOf(m.settings);
          recipeSelect.value = recipe.name;
          diffAugmentBox.checked = recipe.diffAugment !== undefined;
        }
        if (
          Array.from($<HTMLSelectElement>('gan-width').options).some(
            (x) => x.value === String(m.settings.width),
          )
        )
          $<HTMLSelectElement>('gan-width').value = String(m.settings.width);
        setRunning(true);
        errorLine.textContent = '';
        if (m.loadedFrom) status.textContent = `continued from ${m.loadedFrom} at step ${m.step}`;
        break;
      case 'progress':
        if (!run) break;
        m.metrics.forEach((metrics, i) => {
          run!.steps.push(m.step - m.metrics.length + i + 1);
          for (const [k, v] of Object.entries(metrics)) {
            run!.metrics[k] ??= [];
            run!.metrics[k].push(v);
          }
        });
        run.tensorsAtSlices.push(m.numTensors);
        run.stepsPerSecond = m.stepsPerSecond;
        draw();
        describe();
        break;
      case 'samples':
        drawImageGrid($('gan-samples'), m.pixels, m.count, 8);
        if (run) run.sampled = m.generator;
        break;
      case 'paused':
        setRunning(false);
        describe();
        break;
      case 'checkpoint': {
        revoke();
        const url = URL.createObjectURL(
          new Blob([m.bytes as BlobPart], { type: 'application/octet-stream' }),
        );
        revoke = () => URL.revokeObjectURL(url);
        download.href = url;
        const recipe = m.settings.kind === 'gan' ? `-${recipeOf(m.settings).name}` : '';
        download.download = `${m.settings.kind}${recipe}-width${m.settings.width}-step${m.step}.safetensors`;
        download.textContent = `Save ${download.download} (${(m.bytes.length / 1024 / 1024).toFixed(2)} MiB)`;
        download.hidden = false;
        if (!o.auto) download.click();
        break;
      }
      case 'stopped':
        run = undefined;
        setRunning(false);
        status.textContent = `stopped: the worker holds ${m.numTensors} tensors, as many as before training (${readyTensors})`;
        if (m.numTensors !== readyTensors)
          status.textContent = `stopped: the worker holds ${m.numTensors} tensors, ${m.numTensors - readyTensors} more than before training`;
        o.publish('ganStopped', { numTensors: m.numTensors, beforeTraining: readyTensors });
        break;
      case 'error':
        // the message is text: a file's field names are never parsed as markup
        errorLine.textContent = `${m.during === 'load' ? 'That checkpoint cannot be used' : `Error (${m.during})`}: ${m.message}`;
        o.publish('ganError', { during: m.during, message: m.message });
        break;
    }
    if (m.type === 'error') {
      for (const w of waiters.splice(0)) w.reject(new Error(`gan worker (${m.during}): ${m.message}`));
      return;
    }
    const at = waiters.findIndex((w) => w.type === m.type);
    if (at >= 0) waiters.splice(at, 1)[0]!.resolve(m);
  };
  worker.onerror = (e) => {
    errorLine.textContent = `the training worker failed: ${e.message}`;
    o.publish('error', `gan worker: ${e.message}`);
  };

  $('gan-start').addEventListener('click', () =>
    send({ type: 'start', settings: settings(), batchSize: batchSize(), seed: Date.now() % 2 ** 31 }),
  );
  pauseButton.addEventListener('click', () => send(running ? { type: 'pause' } : { type: 'resume' }));
  $('gan-stop').addEventListener('click', () => send({ type: 'stop' }));
  $('gan-checkpoint').addEventListener('click', () => send({ type: 'checkpoint' }));
  $<HTMLInputElement>('gan-upload').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    if (file.size > MAX_UPLOAD_BYTES) {
      // refused before reading: a checkpoint of the widest net the page builds is far smaller
      errorLine.textContent = `That checkpoint cannot be used: ${file.name} has ${file.size} bytes, more than the ${MAX_UPLOAD_BYTES} a checkpoint of width ${DEMO_LIMITS.width.max} needs`;
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    send({ type: 'load', bytes, name: file.name, batchSize: batchSize(), seed: 1 }, [bytes.buffer]);
  });

  const ready = next('ready');
  send({
    type: 'init',
    wasmPaths: o.wasmPaths,
    threads: o.threads,
    data: new URL(GAN_IMAGES.base, location.href).href,
    count: GAN_IMAGES.count,
  });
  return ready.then(async () => {
    if (!o.auto) return;
    // the browser test: a few steps of each net, then the checkpoint, all published
    const steps = o.autoSteps ?? 3;
    const results: Record<string, unknown> = { report };
    for (const r of AUTO_RUNS) {
      showKind(r.kind);
      recipeSelect.value = r.recipe;
      const started = next('started');
      send({ type: 'start', settings: settings(), batchSize: batchSize(), seed: 7, pauseAt: steps });
      const s = await started;
      const paused = await next('paused');
      results[r.key] = {
        step: paused.step,
        tensorsAtStart: s.numTensors,
        tensorsAtSlices: run!.tensorsAtSlices,
        metrics: run!.metrics,
        stepsPerSecond: run!.stepsPerSecond,
        sampled: run!.sampled,
      };
    }
    const checkpoint = next('checkpoint');
    send({ type: 'checkpoint' });
    const c = await checkpoint;
    results.checkpoint = { step: c.step, settings: c.settings, bytes: c.bytes.length };
    o.publish('gan', results);
  });
}
