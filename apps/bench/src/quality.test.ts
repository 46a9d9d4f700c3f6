// quality.ts's pieces on tiny inputs (never a benchmark run): sample generation in seeded batches of
// 500 with the generator's mode restored, FD/KID of a set against itself and against another, and the ring
// GAN's mode count after a few steps; every one leak-free.
import { createRequire } from 'node:module';
import { Dense, initBackend, Rng, Sequential } from '@lab/core';
import { FILE_LIMITS, readFileLimited } from '@lab/core/node';
import { Evaluator } from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate, ringModes, score } from './quality.js';
import { collapseFields, curveFields } from './quality-aggregate.js';
import { COLLAPSE_THRESHOLD } from './quality-collapse.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('generate', () => {
  it('draws n samples in batches of 500, batch s seeded with seed + s, and leaves G in training mode', () => {
    // a stand-in generator (one Dense layer): generate only needs forward() and the mode switches
    const G = new Sequential([new Dense(100, 3, { rng: new Rng(1) })]);
    const before = tf.memory().numTensors;
    const all = generate(G, 501, 7);
    expect(all.shape).toEqual([501, 3]);
    const first = generate(G, 500, 7);
    const last = generate(G, 1, 7 + 500);
    const rows = all.arraySync() as unknown as number[][];
    expect(rows.slice(0, 500)).toEqual(first.arraySync());
    expect(rows.slice(500)).toEqual(last.arraySync());
    expect(rows[0]).not.toEqual(rows[1]);
    expect(G.training).toBe(true);
    tf.dispose([all, first, last]);
    expect(tf.memory().numTensors).toBe(before);
    G.dispose();
  });
});

describe('score', () => {
  it('gives FD and KID near 0 for a set against itself, and larger against another set', () => {
    const path = createRequire(import.meta.url).resolve(
      '@lab/gan/assets/fashion-mnist-evaluator.safetensors',
    );
    const ev = Evaluator.fromBytes(readFileLimited(path, FILE_LIMITS.tensors));
    const before = tf.memory().numTensors;
    const real = tf.randomUniform([100, 28, 28, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
    // darker images: another distribution
    const other = tf.randomUniform([100, 28, 28, 1], -1, 0, 'float32', 2) as tf.Tensor4D;
    const features = ev.featuresOf(real, { range: [-1, 1] });
    const same = score(ev, features, real);
    const apart = score(ev, features, other);
    expect(apart.fd).toBeGreaterThan(0);
    expect(Math.abs(same.fd)).toBeLessThan(0.01 * apart.fd);
    expect(apart.kid).toBeGreaterThan(Math.abs(same.kid));
    // the collapse rule's number: a set against its own features spreads exactly as much
    expect(same.spread).toBeCloseTo(1, 5);
    tf.dispose([real, other, features]);
    expect(tf.memory().numTensors).toBe(before);
    ev.dispose();
  });
});

describe('ringModes', () => {
  it('counts covered modes of the 8-Gaussian ring after a few steps, leak-free', () => {
    const before = tf.memory().numTensors;
    const r = ringModes(0, 3);
    expect(Number.isInteger(r.modes) && r.modes >= 0 && r.modes <= 8).toBe(true);
    expect(r.highQuality).toBeGreaterThanOrEqual(0);
    expect(r.highQuality).toBeLessThanOrEqual(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the fields over seeds', () => {
  it("counts each side's collapsed seeds by the rule, at the end and at any checkpoint", () => {
    const pts = (...spreads: (number | null)[]) =>
      spreads.map((spread, i) => ({ step: 100 * (i + 1), spread }));
    const f = collapseFields([
      // collapsed at the end
      { ours_spread: 0.02, peer_spread: 0.8, checkpoints: pts(0.5, 0.02), peer_checkpoints: pts(0.6, 0.8) },
      // ours collapsed at the first checkpoint and recovered; no peer on this seed
      { ours_spread: 0.9, peer_spread: null, checkpoints: pts(0.05, null), peer_checkpoints: [] },
      // ours just below the threshold at the end, the peer just above all along
      { ours_spread: 0.14, peer_spread: 0.16, checkpoints: [], peer_checkpoints: pts(0.2) },
    ]);
    expect(f.ours_collapses).toEqual({ collapsed: 2, of: 3 });
    expect(f.peer_collapses).toEqual({ collapsed: 0, of: 2 });
    expect(f.ours_collapses_any_checkpoint).toEqual({ collapsed: 3, of: 3 });
    expect(f.peer_collapses_any_checkpoint).toEqual({ collapsed: 0, of: 2 });
    expect(f.collapse_rule).toContain(String(COLLAPSE_THRESHOLD));
    const noPeer = collapseFields([
      { ours_spread: 0.5, peer_spread: null, checkpoints: [], peer_checkpoints: [] },
    ]);
    expect(noPeer.peer_collapses).toBeNull();
    expect(noPeer.peer_collapses_any_checkpoint).toBeNull();
  });

  it("lists each seed's curve per side as [step, fd] pairs and the FD's spread per step", () => {
    const f = curveFields([
      {
        seed: 3,
        ours: [
          { step: 100, fd: 50 },
          { step: 200, fd: 30 },
        ],
        peer: [{ step: 200, fd: 20 }],
      },
      {
        seed: 4,
        ours: [
          { step: 100, fd: 70 },
          { step: 200, fd: 40 },
        ],
        peer: [],
      },
    ]);
    expect(f.ours_fd_curves).toEqual([
      [
        [100, 50],
        [200, 30],
      ],
      [
        [100, 70],
        [200, 40],
      ],
    ]);
    expect(f.peer_fd_curves).toEqual([[[200, 20]], []]);
    expect(f.ours_fd_by_step).toEqual([
      { step: 100, mean: 60, std: Number((10 * Math.SQRT2).toFixed(3)), min: 50, max: 70, n: 2 },
      { step: 200, mean: 35, std: Number((5 * Math.SQRT2).toFixed(3)), min: 30, max: 40, n: 2 },
    ]);
    expect(f.peer_fd_by_step).toEqual([{ step: 200, mean: 20, std: null, min: 20, max: 20, n: 1 }]);
  });
});
