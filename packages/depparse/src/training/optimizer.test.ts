import {
  adagrad,
  adam,
  cosineSchedule,
  type GradientTransformation,
  initBackend,
  Optimizer,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { namedOptimizer } from './optimizer.js';

/** The weights after `steps` updates of one variable by `transform` on a fixed gradient sequence. */
function run(transform: GradientTransformation<any>, steps: number): Float32Array {
  const w = tf.variable(tf.tensor1d([0.5, -1, 2]));
  const opt = new Optimizer(transform, { w });
  for (let s = 0; s < steps; s++) {
    const g = tf.tensor1d([0.3 + s, -0.2, 0.05 * s]);
    opt.step({ w: g });
    g.dispose();
  }
  const out = w.dataSync().slice() as Float32Array;
  opt.dispose();
  w.dispose();
  return out;
}

describe('namedOptimizer', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it("maps the CLI's names to the transforms and defaults the parser used", () => {
    expect(run(namedOptimizer()(100), 5)).toEqual(run(adam(1e-3, { weightDecay: 1e-8 }), 5));
    expect(run(namedOptimizer({ name: 'adagrad' })(100), 5)).toEqual(
      run(adagrad(0.01, { weightDecay: 1e-8 }), 5),
    );
    expect(run(namedOptimizer({ lr: 0.1, l2: 0.5 })(100), 5)).toEqual(
      run(adam(0.1, { weightDecay: 0.5 }), 5),
    );
  });

  it("'cosine' anneals over the run's length to a tenth of the rate", () => {
    const runSteps = 6;
    expect(run(namedOptimizer({ schedule: 'cosine', lr: 0.1 })(runSteps), 5)).toEqual(
      run(adam(cosineSchedule(0.1, runSteps, 0.01), { weightDecay: 1e-8 }), 5),
    );
    // the schedule changes the updates
    expect(run(namedOptimizer({ schedule: 'cosine', lr: 0.1 })(runSteps), 5)).not.toEqual(
      run(namedOptimizer({ lr: 0.1 })(runSteps), 5),
    );
  });

  it('refuses unknown names, naming the option', () => {
    expect(() => namedOptimizer({ name: 'sgd' as 'adam' })).toThrow(
      /optimizer must be one of adam, adagrad, got sgd/,
    );
    expect(() => namedOptimizer({ schedule: 'linear' as 'none' })).toThrow(
      /lrSchedule must be one of none, cosine, got linear/,
    );
  });
});
