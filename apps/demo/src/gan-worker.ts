// The Fashion-MNIST GAN's Web Worker: it starts its own WASM backend (threads when the page is
// cross-origin isolated), loads the shipped images, and trains a GanSession slice by slice, yielding
// between slices so that pause, checkpoint and upload messages get through. The page stays responsive
// because none of this runs on its thread.
import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { FromWorker, StartRequest, ToWorker } from './gan-messages.js';
import { GanSession } from './gan-session.js';
import { loadImages } from './image-data.js';

// each slice aims at this much training time, so that messages wait at most about this long
const SLICE_MS = 250;
// sample grids at most this often (drawing them costs a forward pass of 64 images)
const SAMPLES_MS = 1000;

const post = (m: FromWorker, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(m, transfer);
const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface State {
  images?: tf.Tensor4D;
  session?: GanSession;
  running: boolean;
  pauseAt?: number;
  /** Increments whenever the session is replaced, so that a running loop of the old one ends. */
  generation: number;
}
const state: State = { running: false, generation: 0 };

async function init(m: Extract<ToWorker, { type: 'init' }>) {
  const report = await initBackend({ wasmPaths: m.wasmPaths, threads: m.threads });
  const shipped = await loadImages(m.data, m.count);
  state.images = tf.tidy(() =>
    tf.sub(tf.div(tf.tensor4d(shipped.pixels, [shipped.count, 28, 28, 1], 'float32'), 127.5), 1),
  ) as tf.Tensor4D;
  post({ type: 'ready', report, images: shipped.count, numTensors: tf.memory().numTensors });
}

function sendSamples(session: GanSession) {
  const pixels = session.samples();
  post(
    { type: 'samples', step: session.step, pixels, count: pixels.length / 784, generator: session.sampled },
    [pixels.buffer],
  );
}

function replaceSession(next: GanSession, loadedFrom?: string) {
  state.session?.dispose();
  state.session = next;
  state.generation++;
  post({
    type: 'started',
    settings: next.settings,
    step: next.step,
    numTensors: tf.memory().numTensors,
    loadedFrom,
  });
  sendSamples(next);
}

async function run() {
  const generation = state.generation;
  const session = state.session!;
  let slice = 1;
  let lastSamples = performance.now();
  while (state.running && generation === state.generation) {
    const steps = state.pauseAt === undefined ? slice : Math.min(slice, state.pauseAt - session.step);
    if (steps <= 0) break;
    const t0 = performance.now();
    const metrics = session.train(steps);
    const ms = performance.now() - t0;
    post({
      type: 'progress',
      step: session.step,
      metrics,
      stepsPerSecond: (1000 * steps) / ms,
      numTensors: tf.memory().numTensors,
    });
    slice = Math.max(1, Math.min(50, Math.round((slice * SLICE_MS) / Math.max(ms, 1))));
    const atPause = state.pauseAt !== undefined && session.step >= state.pauseAt;
    if (atPause || performance.now() - lastSamples > SAMPLES_MS) {
      sendSamples(session);
      lastSamples = performance.now();
    }
    if (atPause) state.running = false;
    await yieldToMessages();
  }
  if (generation === state.generation)
    post({ type: 'paused', step: session.step, numTensors: tf.memory().numTensors });
}

function start(m: StartRequest) {
  if (!state.images) throw new Error('the images are not loaded yet');
  replaceSession(
    GanSession.create({ settings: m.settings, images: state.images, batchSize: m.batchSize, seed: m.seed }),
  );
  state.pauseAt = m.pauseAt;
  state.running = true;
  void run();
}

async function handle(m: ToWorker) {
  switch (m.type) {
    case 'init':
      return init(m);
    case 'start':
      return start(m);
    case 'pause':
      state.running = false;
      return;
    case 'resume':
      if (!state.session || state.running) return;
      state.pauseAt = m.pauseAt;
      state.running = true;
      return void run();
    case 'checkpoint': {
      if (!state.session) throw new Error('nothing is training yet');
      const bytes = state.session.checkpoint();
      return post({ type: 'checkpoint', bytes, step: state.session.step, settings: state.session.settings }, [
        bytes.buffer,
      ]);
    }
    case 'load': {
      if (!state.images) throw new Error('the images are not loaded yet');
      // validated and restored before the running session is touched: a bad file changes nothing
      const next = GanSession.fromCheckpoint(m.bytes, {
        images: state.images,
        batchSize: m.batchSize,
        seed: m.seed,
      });
      // an uploaded checkpoint is there to be continued: training resumes from its step
      replaceSession(next, m.name);
      state.pauseAt = undefined;
      state.running = true;
      return void run();
    }
    case 'stop':
      state.running = false;
      state.generation++;
      state.session?.dispose();
      state.session = undefined;
      return post({ type: 'stopped', numTensors: tf.memory().numTensors });
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  handle(e.data).catch((error) => post({ type: 'error', during: e.data.type, message: messageOf(error) }));
};
