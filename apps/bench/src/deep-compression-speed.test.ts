// The pure parts of W5's sparse-speed figures: where sparse starts to win, the per-call CPU timer's
// contract, and the layer timing on a tiny layer (finite figures, no tensor left behind). No timing is
// asserted: only what the functions compute from the timings.
import { type CsrMatrix, csrFromDense } from '@lab/compress';
import { initBackend } from '@lab/core';
import { memory } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  breakEven,
  cpuMsPerCall,
  type SweepRow,
  sparsitySweep,
  timeLayer,
} from './deep-compression-speed.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const row = (sparsity: number, batch: number, speedup: number): SweepRow => ({
  sparsity,
  batch,
  dense_ms: speedup,
  sparse_ms: 1,
  speedup,
});

describe('breakEven', () => {
  it('finds, per batch, the lowest sparsity from which sparse wins at every higher one', () => {
    const rows = [
      // batch 1: wins from 0.8 on (0.5 wins too but 0.7 loses again)
      row(0.9, 1, 3),
      row(0.5, 1, 1.2),
      row(0.7, 1, 0.9),
      row(0.8, 1, 1.5),
      // batch 8: never wins; batch 64: wins everywhere; exactly 1 is not a win
      row(0.5, 8, 0.5),
      row(0.9, 8, 1),
      row(0.5, 64, 2),
      row(0.9, 64, 4),
    ];
    expect(breakEven(rows)).toEqual({ 1: 0.8, 8: null, 64: 0.5 });
    expect(breakEven([])).toEqual({});
  });
});

describe('cpuMsPerCall', () => {
  it('calls fn twice to warm up, then in blocks, and returns a per-call figure', () => {
    let calls = 0;
    const ms = cpuMsPerCall(() => {
      calls++;
      let x = 0;
      for (let i = 0; i < 2000; i++) x += Math.sqrt(i);
      if (x < 0) throw new Error('unreachable');
    }, 3);
    expect(Number.isFinite(ms) && ms >= 0).toBe(true);
    // two warm-up calls, the calibration rounds (1, 4, 16, ... calls) and three blocks of equal size
    expect(calls).toBeGreaterThan(2 + 3);
  });
});

describe('timeLayer and sparsitySweep', () => {
  it('times a tiny layer leaving no tensor behind, for float and shared-code entries', () => {
    const w = Float32Array.from({ length: 6 * 4 }, (_, i) => (i % 3 === 0 ? 0 : i / 10));
    const csr = csrFromDense(w, 6, 4, { transpose: true });
    const before = memory().numTensors;
    const t = timeLayer(csr, 2, 1);
    expect(Number.isFinite(t.dense) && t.dense >= 0 && Number.isFinite(t.sparse) && t.sparse >= 0).toBe(true);
    const shared: CsrMatrix = {
      ...csr,
      entries: {
        kind: 'shared',
        codebook: new Float32Array([0.5, -1]),
        codes: Uint8Array.from(csr.colIndex, (_, i) => i % 2),
      },
    };
    timeLayer(shared, 1, 1);
    expect(memory().numTensors).toBe(before);
  });

  it('gives one row per sparsity and batch, with speedup = dense / sparse', () => {
    const before = memory().numTensors;
    const rows = sparsitySweep([0.9, 0.5], [2], 1, [8, 4]);
    expect(rows.map((r) => [r.sparsity, r.batch])).toEqual([
      [0.9, 2],
      [0.5, 2],
    ]);
    for (const r of rows) expect(r.speedup).toBe(r.dense_ms / r.sparse_ms);
    expect(memory().numTensors).toBe(before);
  });
});
