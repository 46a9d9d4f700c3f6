// The GAN panel: a non-saturating GAN with MLPs learns the 8-Gaussian ring, trained in slices of
// steps between animation frames so that the page stays responsive.
import { adam, Optimizer, Rng } from '@lab/core';
import { mlpDiscriminator, mlpGenerator, modeCoverage, ring8, sampleMixture, trainGan } from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';

export interface RingResult {
  steps: number;
  modes: number;
  highQuality: number;
  dLoss: number;
  gLoss: number;
  /** Tensors alive after training minus before (0: leak-free). */
  leakedTensors: number;
  msPerStep: number;
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

function draw(canvas: HTMLCanvasElement, real: Float32Array, fake: Float32Array): void {
  const ctx = canvas.getContext('2d')!;
  const s = canvas.width / 5; // the ring has radius 2: [-2.5, 2.5] fills the canvas
  const c = canvas.width / 2;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const dots = (xy: Float32Array, colour: string) => {
    ctx.fillStyle = colour;
    for (let i = 0; i + 1 < xy.length; i += 2) ctx.fillRect(c + xy[i]! * s - 1, c - xy[i + 1]! * s - 1, 2, 2);
  };
  dots(real, 'rgba(0, 0, 0, 0.15)');
  dots(fake, 'rgba(20, 90, 220, 0.6)');
}

export async function trainRing(
  canvas: HTMLCanvasElement,
  { steps = 3000, slice = 100, seed = 0, onProgress = (_: string) => {} } = {},
): Promise<RingResult> {
  const before = tf.memory().numTensors;
  const rng = new Rng(seed);
  const mix = ring8();
  const G = mlpGenerator(2, 2, { hidden: [128, 128], rng, linearOutput: true });
  const D = mlpDiscriminator(2, { hidden: [128, 128], rng });
  const optG = new Optimizer(adam(5e-4, { b1: 0.5 }), G.trainableParameters());
  const optD = new Optimizer(adam(5e-4, { b1: 0.5 }), D.trainableParameters());
  const data = sampleMixture(mix, 20000, seed + 1);
  const shown = tf.slice(data, [0, 0], [1000, 2]);
  const realXY = shown.dataSync() as Float32Array;
  const noise = tf.randomNormal([1000, 2], 0, 1, 'float32', seed + 2);
  let dLoss = Number.NaN;
  let gLoss = Number.NaN;
  const started = performance.now();
  for (let done = 0; done < steps; done += slice) {
    trainGan({
      G,
      D,
      optG,
      optD,
      rng,
      latent: 2,
      batchSize: 256,
      steps: Math.min(slice, steps - done),
      data: {
        count: data.shape[0],
        batch: (idx) => tf.tidy(() => tf.gather(data, tf.tensor1d(idx, 'int32'))),
      },
      onStep: (e) => {
        dLoss = e.metrics.dLoss ?? Number.NaN;
        gLoss = e.metrics.gLoss ?? Number.NaN;
      },
    });
    const fake = tf.tidy(() => G.forward(noise));
    draw(canvas, realXY, fake.dataSync() as Float32Array);
    fake.dispose();
    const stepped = done + Math.min(slice, steps - done);
    const perSecond = (1000 * stepped) / (performance.now() - started);
    onProgress(
      `step ${stepped} / ${steps}: D loss ${dLoss.toFixed(3)}, G loss ${gLoss.toFixed(3)}, ${perSecond.toFixed(0)} steps/s`,
    );
    await nextFrame();
  }
  const msPerStep = (performance.now() - started) / steps;
  const samples = tf.tidy(() =>
    G.forward(tf.randomNormal([2500, 2], 0, 1, 'float32', seed + 3)),
  ) as tf.Tensor2D;
  const coverage = modeCoverage(samples, mix);
  tf.dispose([samples, data, shown, noise]);
  for (const m of [G, D, optG, optD]) m.dispose();
  return {
    steps,
    modes: coverage.modesCovered,
    highQuality: coverage.highQuality,
    dLoss,
    gLoss,
    leakedTensors: tf.memory().numTensors - before,
    msPerStep,
  };
}
