import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adam,
  BatchNorm,
  chain,
  checkpointToBytes,
  clipByGlobalNorm,
  Dense,
  Dropout,
  initBackend,
  Optimizer,
  ReLU,
  Rng,
  restoreCheckpoint,
  SafetensorsError,
  Sequential,
  valueAndGrads,
} from '../index.js';

function build(seed: number) {
  const rng = new Rng(seed);
  const net = new Sequential([
    new Dense(4, 8, { rng }),
    new BatchNorm(8),
    ReLU(),
    new Dropout(0.2, { rng }),
    new Dense(8, 1, { rng }),
  ]);
  const opt = new Optimizer(chain(clipByGlobalNorm(1), adam(0.01)), net.trainableParameters());
  return { rng, net, opt };
}
function train(m: ReturnType<typeof build>, steps: number) {
  for (let i = 0; i < steps; i++) {
    const x = tf.randomNormal([16, 4], 0, 1, 'float32', m.rng.seed());
    const { value, grads } = valueAndGrads(
      () => tf.mean(tf.square(m.net.forward(x))) as tf.Scalar,
      m.net.trainableParameters(),
    );
    m.opt.step(grads);
    tf.dispose([x, value, ...Object.values(grads)]);
  }
}
const weights = (m: ReturnType<typeof build>) =>
  Object.entries(m.net.stateDict()).map(([k, v]) => [k, Array.from(v.dataSync())] as const);

describe('checkpoints', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('resume continues bit-identically: weights, buffers, optimizer state and random stream', () => {
    const a = build(3);
    train(a, 5);
    const bytes = checkpointToBytes({
      modules: { net: a.net },
      optimizers: { opt: a.opt },
      step: 5,
      rng: a.rng.getState(),
      config: { width: 8 },
    });
    train(a, 5);

    const b = build(99); // different initial weights and stream: everything must come from the file
    const before = tf.memory().numTensors;
    const restored = restoreCheckpoint(bytes, { modules: { net: b.net }, optimizers: { opt: b.opt } });
    expect(tf.memory().numTensors).toBe(before); // the old optimizer state was swapped, nothing leaked
    expect(restored.step).toBe(5);
    expect(restored.config).toEqual({ width: 8 });
    b.rng.setState(restored.rng!);
    train(b, 5);
    expect(weights(b)).toEqual(weights(a));
    for (const m of [a, b]) {
      m.net.dispose();
      m.opt.dispose();
    }
  });
  it('two runs with the same seed give identical weights', () => {
    const a = build(7);
    const b = build(7);
    train(a, 3);
    train(b, 3);
    expect(weights(a)).toEqual(weights(b));
    for (const m of [a, b]) {
      m.net.dispose();
      m.opt.dispose();
    }
  });
  it('refuses files that are not @lab checkpoints or lack a target', () => {
    const a = build(1);
    expect(() =>
      restoreCheckpoint(checkpointToBytes({ modules: { other: a.net } }), { modules: { net: a.net } }),
    ).toThrow(/no module 'net'/);
    expect(() => restoreCheckpoint(new Uint8Array(16), { modules: { net: a.net } })).toThrow(
      SafetensorsError,
    );
    a.net.dispose();
    a.opt.dispose();
  });
});
