import { adam, initBackend, Optimizer, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { discriminatorLoss, generatorLoss } from './losses.js';
import { dcganDiscriminator, dcganGenerator } from './nets.js';
import { ganStep } from './step.js';

function setup(seed: number) {
  const rng = new Rng(seed);
  const G = dcganGenerator({ width: 4, latent: 8, rng });
  const D = dcganDiscriminator({ width: 4, dropout: 0, rng });
  const optG = new Optimizer(adam(2e-4, { b1: 0.5 }), G.trainableParameters());
  const optD = new Optimizer(adam(2e-4, { b1: 0.5 }), D.trainableParameters());
  return { G, D, optG, optD };
}
const weights = (m: { stateDict(): Record<string, tf.Tensor> }) =>
  Object.values(m.stateDict()).map((v) => Array.from(v.dataSync()));

describe('ganStep (one generator forward per iteration)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('equals the two-pass reference (D step on detached fakes, then G step through the updated D) and leaks nothing', () => {
    const real = tf.randomUniform([4, 28, 28, 1], -1, 1, 'float32', 1);
    const z = tf.randomNormal([4, 8], 0, 1, 'float32', 2);
    const a = setup(7);
    const b = setup(7);
    // reference: G runs twice; BatchNorm statistics are the same because z is the same
    const fake = tf.tidy(() => a.G.forward(z));
    const dv = a.D.trainableParameters();
    const gv = a.G.trainableParameters();
    const d = tf.variableGrads(
      () => discriminatorLoss(a.D.forward(real), a.D.forward(fake)) as tf.Scalar,
      Object.values(dv),
    );
    a.optD.step(Object.fromEntries(Object.entries(dv).map(([k, v]) => [k, d.grads[v.name]!])));
    const g = tf.variableGrads(
      () => generatorLoss(a.D.forward(a.G.forward(z))) as tf.Scalar,
      Object.values(gv),
    );
    a.optG.step(Object.fromEntries(Object.entries(gv).map(([k, v]) => [k, g.grads[v.name]!])));
    tf.dispose([fake, d.value, g.value, ...Object.values(d.grads), ...Object.values(g.grads)]);

    const before = tf.memory().numTensors;
    const losses = ganStep({ ...b, real, z, discriminatorLoss, generatorLoss });
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(losses.dLoss) && Number.isFinite(losses.gLoss)).toBe(true);
    const close = (x: number[][], y: number[][]) => {
      for (const [i, row] of x.entries())
        for (const [j, v] of row.entries()) expect(Math.abs(v - y[i]![j]!)).toBeLessThan(1e-5);
    };
    close(weights(b.D), weights(a.D));
    // G's trainable weights match; its BatchNorm running statistics saw one forward pass instead of two
    const gw = (m: typeof a) => Object.values(m.G.trainableParameters()).map((v) => Array.from(v.dataSync()));
    close(gw(b), gw(a));
    for (let i = 0; i < 5; i++) ganStep({ ...b, real, z, discriminatorLoss, generatorLoss });
    expect(tf.memory().numTensors).toBe(before);
  });
});
