// The pieces of the training loop together on a real model: an optimizer (a GradientTransformation
// with a step schedule), per-epoch shuffling, validation on the EMA of the weights, the best weights
// kept and restored, early stopping, and a tensor count that stays flat from epoch to epoch.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { valueAndGrads } from '../nn/grad.js';
import { Dense } from '../nn/layers.js';
import { adam } from '../optim/alias.js';
import { Optimizer } from '../optim/optimizer.js';
import { cosineSchedule } from '../optim/schedule.js';
import { Rng } from '../random/rng.js';
import { initBackend } from '../runtime/init.js';
import { averager, ema } from './averager.js';
import { bestWeights, keepBest } from './best-weights.js';
import { earlyStopping } from './early-stopping.js';
import { runTrainingLoop } from './loop.js';

/** y = x . [1, -2, 0.5] + 0.3 plus noise, n rows. */
function data(n: number, rng: Rng) {
  const x = new Float32Array(3 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) x[3 * i + j] = rng.normal();
    y[i] = x[3 * i]! - 2 * x[3 * i + 1]! + 0.5 * x[3 * i + 2]! + 0.3 + 0.1 * rng.normal();
  }
  return { x, y, n };
}

describe('the training loop with all its hooks', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('trains, validates the average, keeps the best, stops early, and leaks nothing', () => {
    const rng = new Rng(4);
    const train = data(256, rng);
    const valid = data(64, rng);
    const model = new Dense(3, 1, { rng, name: 'lin' });
    const vars = model.trainableParameters();
    const epochs = 40;
    const batch = 32;
    const steps = train.n / batch;
    const opt = new Optimizer(adam(cosineSchedule(0.05, epochs * steps, 0.005)), vars);
    const average = averager(vars, ema(0.9));
    const best = bestWeights(vars, { mode: 'min' });
    const stopper = earlyStopping({ metric: 'mse', patience: 3, mode: 'min', minDelta: 1e-4 });
    const mse = (d: typeof train) =>
      tf.tidy(() => {
        const pred = model.forward(tf.tensor2d(d.x, [d.n, 3]));
        return tf.losses.meanSquaredError(tf.tensor2d(d.y, [d.n, 1]), pred).dataSync()[0]!;
      });
    let order: Int32Array = new Int32Array(0);
    const tensorsAfterEpoch: number[] = [];
    const validated: { mse: number; average: number[] }[] = [];
    const losses: number[] = [];
    const r = runTrainingLoop({
      epochs,
      stepsPerEpoch: () => {
        order = rng.permutation(train.n);
        return steps;
      },
      trainStep: (_s, { stepInEpoch }) => {
        const idx = order.subarray(stepInEpoch * batch, (stepInEpoch + 1) * batch);
        const xb = new Float32Array(3 * batch);
        const yb = new Float32Array(batch);
        idx.forEach((k, i) => {
          xb.set(train.x.subarray(3 * k, 3 * k + 3), 3 * i);
          yb[i] = train.y[k]!;
        });
        const x = tf.tensor2d(xb, [batch, 3]);
        const y = tf.tensor2d(yb, [batch, 1]);
        const { value, grads } = valueAndGrads(
          () => tf.losses.meanSquaredError(y, model.forward(x)) as tf.Scalar,
          vars,
        );
        opt.step(grads);
        const loss = value.dataSync()[0]!;
        tf.dispose([x, y, value, ...Object.values(grads)]);
        return { loss };
      },
      validate: () => {
        const score = mse(valid);
        validated.push({ mse: score, average: Array.from(average.average().weight!.dataSync()) });
        expect(Array.from(vars.weight!.dataSync())).toEqual(validated.at(-1)!.average);
        return { mse: score };
      },
      average,
      hooks: [keepBest(best, 'mse'), stopper],
      onEpoch: (e) => {
        losses.push(e.means.loss!);
        tensorsAfterEpoch.push(tf.memory().numTensors);
      },
    });
    // it learned, and stopped before the last epoch once the validation error stopped falling
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 5);
    expect(r.stopped).toBe('stopped');
    expect(r.epochsDone).toBeLessThan(epochs);
    expect(stopper.stoppedAfter).toBe(r.epochsDone - 1);
    // the kept epoch is the one with the lowest validation error, and restoring gives its averaged weights
    const bestEpoch = validated.reduce((b, v, i) => (v.mse < validated[b]!.mse ? i : b), 0);
    expect(best.best!.epoch).toBe(bestEpoch);
    expect(r.epochsDone - 1 - bestEpoch).toBe(3);
    best.restore();
    expect(Array.from(vars.weight!.dataSync())).toEqual(validated[bestEpoch]!.average);
    expect(mse(valid)).toBe(validated[bestEpoch]!.mse);
    // flat from the second epoch (the first creates the optimizer's moments and the best copy)
    expect(new Set(tensorsAfterEpoch.slice(1)).size).toBe(1);
    opt.dispose();
    average.dispose();
    best.dispose();
    model.dispose();
  });
});
