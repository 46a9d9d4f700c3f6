// The first layer's tables against embedding x W1-block products computed here with plain loops,
// the context block's layout, the byte count, and the row arithmetic of the JS path.
import { initBackend, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXTRA_IDS, EXTRA_POSITIONS, LABEL_POSITIONS, TOKEN_POSITIONS } from '../model/features.js';
import { type NetConfig, ParserNet } from '../model/model.js';
import {
  activateInPlace,
  addRow,
  addScaledRow,
  contextBlocks,
  firstLayerTables,
  tablesBytes,
} from './precompute-tables.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

const CONFIG: NetConfig = {
  words: 12,
  upos: 3,
  xpos: 4,
  labels: 5,
  transitions: 7,
  wordDim: 3,
  tagDim: 2,
  labelDim: 2,
  extraDim: 2,
  hidden: [5],
  activation: 'cube',
  dropout: 0,
};

/** [position][id][H] of emb[id] . W1[base + p dim .. base + (p + 1) dim), by plain loops in float64. */
function table(
  emb: Float32Array,
  ids: number,
  dim: number,
  w1: Float32Array,
  H: number,
  base: number,
  positions: number,
) {
  const out = new Float64Array(positions * ids * H);
  for (let p = 0; p < positions; p++)
    for (let id = 0; id < ids; id++)
      for (let h = 0; h < H; h++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += emb[id * dim + d]! * w1[(base + p * dim + d) * H + h]!;
        out[(p * ids + id) * H + h] = s;
      }
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-6): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst).toBeLessThan(tol);
}

describe('firstLayerTables', () => {
  it('tables every kind of feature as embedding x its block of W1, leaking no tensor', () => {
    const net = new ParserNet(CONFIG, new Rng(1));
    const c = CONFIG;
    const H = 5;
    const w1 = net.hidden[0]!.weight.dataSync() as Float32Array;
    const emb = (e: { weight: tf.Tensor }) => e.weight.dataSync() as Float32Array;
    const before = tf.memory().numTensors;
    const t = firstLayerTables(net, 7);
    expect(tf.memory().numTensors).toBe(before);
    const upos = TOKEN_POSITIONS * c.wordDim;
    const xpos = upos + TOKEN_POSITIONS * c.tagDim;
    const labels = xpos + TOKEN_POSITIONS * c.tagDim;
    const extras = labels + LABEL_POSITIONS * c.labelDim;
    expect([t.H, t.topWords]).toEqual([H, 7]);
    expectClose(t.words, table(emb(net.wordEmbedding), 7, c.wordDim, w1, H, 0, TOKEN_POSITIONS));
    expectClose(t.upos, table(emb(net.uposEmbedding), c.upos, c.tagDim, w1, H, upos, TOKEN_POSITIONS));
    expectClose(t.xpos, table(emb(net.xposEmbedding), c.xpos, c.tagDim, w1, H, xpos, TOKEN_POSITIONS));
    expectClose(
      t.labels,
      table(emb(net.labelEmbedding), c.labels, c.labelDim, w1, H, labels, LABEL_POSITIONS),
    );
    expectClose(
      t.extras,
      table(emb(net.extraEmbedding), EXTRA_IDS, c.extraDim, w1, H, extras, EXTRA_POSITIONS),
    );
    // rare words are multiplied by W1's word rows, on the whole embedding
    expect(Array.from(t.w1Words)).toEqual(Array.from(w1.subarray(0, TOKEN_POSITIONS * c.wordDim * H)));
    expect(Array.from(t.wordEmb)).toEqual(Array.from(emb(net.wordEmbedding)));
    expect(Array.from(t.bias)).toEqual(Array.from(net.hidden[0]!.bias!.dataSync()));
    expect(t.sizes).toEqual({ upos: 3, xpos: 4, labels: 5, dw: 3 });
    net.dispose();
  });

  it('caps topWords at the vocabulary, and leaves the word rows out when asked', () => {
    const net = new ParserNet(CONFIG, new Rng(2));
    const all = firstLayerTables(net, 1000);
    expect(all.topWords).toBe(12);
    expect(all.words).toHaveLength(TOKEN_POSITIONS * 12 * 5);
    const lazy = firstLayerTables(net, 1000, { wordRows: false });
    expect(lazy.words).toHaveLength(0);
    expect(Array.from(lazy.upos)).toEqual(Array.from(all.upos));
    expect(tablesBytes(all) - tablesBytes(lazy)).toBe(4 * TOKEN_POSITIONS * 12 * 5);
    // 4 bytes for each tabled float: words, UPOS, XPOS, labels, extras (not W1 or the embedding)
    const floats = 5 * (TOKEN_POSITIONS * (12 + 3 + 4) + LABEL_POSITIONS * 5 + EXTRA_POSITIONS * EXTRA_IDS);
    expect(tablesBytes(all)).toBe(4 * floats);
    net.dispose();
  });
});

describe('contextBlocks', () => {
  it('is undefined without a context encoder', () => {
    const net = new ParserNet(CONFIG, new Rng(3));
    expect(contextBlocks(net, 5)).toBeUndefined();
    net.dispose();
  });

  it('lays the context block out as [dim, positions x H]: column p H + h of row d is W[p dim + d, h]', () => {
    const net = new ParserNet(
      { ...CONFIG, context: { dim: 3, layers: 1, width: 3, positions: 2 } },
      new Rng(4),
    );
    const w = net.contextOut!.weight.dataSync() as Float32Array;
    const before = tf.memory().numTensors;
    const b = contextBlocks(net, 5)!;
    expect(tf.memory().numTensors).toBe(before + 1); // the caller's
    expect(b.shape).toEqual([3, 10]);
    const got = b.dataSync();
    for (let d = 0; d < 3; d++)
      for (let p = 0; p < 2; p++)
        for (let h = 0; h < 5; h++) expect(got[d * 10 + p * 5 + h]).toBe(w[(p * 3 + d) * 5 + h]);
    b.dispose();
    net.dispose();
  });
});

describe('row arithmetic', () => {
  it('activateInPlace applies cube, relu, or tanh for anything else', () => {
    const x = () => Float32Array.from([-2, -0.5, 0, 0.5, 2]);
    const cube = x();
    activateInPlace(cube, 'cube');
    expect(Array.from(cube)).toEqual([-8, -0.125, 0, 0.125, 8]);
    const relu = x();
    activateInPlace(relu, 'relu');
    expect(Array.from(relu)).toEqual([0, 0, 0, 0.5, 2]);
    const tanh = x();
    activateInPlace(tanh, 'tanh');
    expect(Array.from(tanh)).toEqual(Array.from(x(), (v) => Math.fround(Math.tanh(v))));
  });

  it('addRow and addScaledRow add H floats of a table from an offset, in place', () => {
    const table = Float32Array.from([9, 9, 1, 2, 3, 9]);
    const h = Float32Array.from([10, 20, 30]);
    addRow(h, table, 2, 3);
    expect(Array.from(h)).toEqual([11, 22, 33]);
    addScaledRow(h, table, 2, 3, -2);
    expect(Array.from(h)).toEqual([9, 18, 27]);
    addRow(h, table, 0, 0); // H = 0 adds nothing
    expect(Array.from(h)).toEqual([9, 18, 27]);
  });
});
