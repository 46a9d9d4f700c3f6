// The Fashion-MNIST GAN page: settings, start / pause / resume, checkpoint download and upload, the
// sample grid and the curves; the training itself runs in gan-worker.ts. With `auto` it trains a DCGAN
// and then WGAN-GP for a few steps each, offers the checkpoint, and publishes what the worker reported
// (the browser test reads it).
import type { BackendReport } from '@lab/core';
import { DEMO_LIMITS, type GanKind, type GanSettings } from './gan-config.js';
import type { FromWorker, ToWorker } from './gan-messages.js';
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
}

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

  const settings = (): GanSettings => ({
    kind: $<HTMLSelectElement>('gan-kind').value as GanKind,
    width: Number($<HTMLSelectElement>('gan-width').value),
    latent: 100,
    padding: 'pytorch',
  });
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
      `${run.settings.kind === 'gan' ? 'DCGAN' : 'WGAN-GP'} width ${run.settings.width}: step ${step}, ` +
      `${run.stepsPerSecond.toFixed(2)} steps/s, ${numbers}; worker tensors ${run.tensorsAtSlices.at(-1) ?? '-'}` +
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
        $<HTMLSelectElement>('gan-kind').value = m.settings.kind;
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
        download.download = `${m.settings.kind}-width${m.settings.width}-step${m.step}.safetensors`;
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
    for (const kind of ['gan', 'wgan-gp'] as const) {
      $<HTMLSelectElement>('gan-kind').value = kind;
      const started = next('started');
      send({ type: 'start', settings: settings(), batchSize: batchSize(), seed: 7, pauseAt: steps });
      const s = await started;
      const paused = await next('paused');
      results[kind] = {
        step: paused.step,
        tensorsAtStart: s.numTensors,
        tensorsAtSlices: run!.tensorsAtSlices,
        metrics: run!.metrics,
        stepsPerSecond: run!.stepsPerSecond,
      };
    }
    const checkpoint = next('checkpoint');
    send({ type: 'checkpoint' });
    const c = await checkpoint;
    results.checkpoint = { step: c.step, settings: c.settings, bytes: c.bytes.length };
    o.publish('gan', results);
  });
}
