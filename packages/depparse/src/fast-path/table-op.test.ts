import { initBackend, Rng, valueAndGrads } from '@lab/core';
import { maxRelativeError } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXTRA_IDS, EXTRA_POSITIONS, LABEL_POSITIONS, TOKEN_POSITIONS } from '../model/features.js';
import { DEFAULT_NET, type FeatureTensors, ParserNet } from '../model/model.js';
import { tableRowSum } from './table-op.js';

describe('tabled first layer (training with the precomputation trick)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each([8, 6])('tableRowSum and its gradient equal gather + sum (H = %i)', (h) => {
    const rng = new Rng(1);
    const rows = 7;
    const perRow = 5;
    const table = tf.tensor2d(
      Float32Array.from({ length: 11 * h }, () => rng.normal()),
      [11, h],
    );
    const ids = Int32Array.from({ length: rows * perRow }, () => rng.int(11));
    const weights = tf.tensor2d(
      Float32Array.from({ length: rows * h }, () => rng.normal()),
      [rows, h],
    );
    const viaGather = (t: tf.Tensor) =>
      tf.sum(
        tf.mul(tf.sum(tf.reshape(tf.gather(t, tf.tensor1d(ids, 'int32')), [rows, perRow, h]), 1), weights),
      );
    const viaTable = (t: tf.Tensor) =>
      tf.sum(tf.mul(tableRowSum(t as tf.Tensor2D, ids, rows, perRow), weights));
    expect(maxRelativeError(viaTable(table).dataSync(), viaGather(table).dataSync())).toBeLessThan(1e-5);
    const g1 = tf.grad(viaTable)(table);
    const g2 = tf.grad(viaGather)(table);
    expect(maxRelativeError(g1.dataSync(), g2.dataSync())).toBeLessThan(1e-5);
    expect(() => tableRowSum(table, Int32Array.of(0, 11), 1, 2)).toThrow(/outside/);
    expect(() => tableRowSum(table, Int32Array.of(0), 1, 2)).toThrow(/row ids/);
  });

  it('ParserNet: the same logits and gradients as embeddings concatenated through one dense layer', () => {
    const rng = new Rng(2);
    // a large word vocabulary (its products are taken per distinct (position, word) pair) and small tag
    // and label ones (full tables): both ways of computing the first layer
    const sizes = { words: 5000, upos: 9, xpos: 12, labels: 7, transitions: 11 };
    const net = new ParserNet({ ...DEFAULT_NET, ...sizes, hidden: [32], dropout: 0 }, rng);
    // weights and embeddings of ordinary size (the default init is tiny, which would hide errors)
    for (const v of Object.values(net.trainableParameters())) {
      const t = tf.randomNormal(v.shape, 0, 0.3, 'float32', rng.seed());
      v.assign(t);
      t.dispose();
    }
    const rows = 6;
    const ids = (k: number, n: number) =>
      tf.tensor2d(
        Int32Array.from({ length: rows * k }, () => rng.int(n)),
        [rows, k],
        'int32',
      );
    const extras = tf.tensor2d(
      Int32Array.from({ length: rows * EXTRA_POSITIONS }, (_, i) => (i % EXTRA_POSITIONS) * 16 + rng.int(16)),
      [rows, EXTRA_POSITIONS],
      'int32',
    );
    expect(EXTRA_IDS).toBe(EXTRA_POSITIONS * 16);
    const f: FeatureTensors = {
      // five words, so that positions repeat them
      words: tf.tensor2d(
        Int32Array.from({ length: rows * TOKEN_POSITIONS }, () => [0, 1000, 2000, 3000, 4999][rng.int(5)]!),
        [rows, TOKEN_POSITIONS],
        'int32',
      ),
      upos: ids(TOKEN_POSITIONS, sizes.upos),
      xpos: ids(TOKEN_POSITIONS, sizes.xpos),
      labels: ids(LABEL_POSITIONS, sizes.labels),
      extras,
    };
    const reference = () =>
      tf.tidy(() => {
        const h = tf.mul(tf.pow(net.hidden[0]!.forward(net.embed(f)), 3), 1);
        return net.output.forward(h) as tf.Tensor2D;
      });
    const target = tf.randomNormal([rows, sizes.transitions], 0, 1, 'float32', 5);
    const loss = (logits: () => tf.Tensor) => () => tf.sum(tf.mul(logits(), target)) as tf.Scalar;
    const vars = net.trainableParameters();
    const ours = valueAndGrads(
      loss(() => net.logits(f)),
      vars,
    );
    const ref = valueAndGrads(loss(reference), vars);
    expect(maxRelativeError(ours.value.dataSync(), ref.value.dataSync())).toBeLessThan(1e-4);
    // the cube makes gradients of ~2,000 from sums of larger terms: compare against each tensor's scale
    // (float32 rounding: ~1e-6 of it; a wrong row or block: order 1)
    for (const k of Object.keys(vars)) {
      expect(scaledError(ours.grads[k]!.dataSync(), ref.grads[k]!.dataSync()), k).toBeLessThan(2e-5);
    }
    net.dispose();
  });
});

/** max |a - b| over max |b|. */
function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}
