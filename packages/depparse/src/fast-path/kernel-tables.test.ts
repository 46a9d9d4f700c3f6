// The first layer's tables that the kernel scorer builds in kernel memory are bitwise tfjs's (the
// products firstLayerTables computes with matMul), for every feature kind and position, and the
// weights it copies there are the net's.
import { initBackend, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_POSITIONS } from '../model/features.js';
import { type NetConfig, ParserNet } from '../model/model.js';
import { kernelFirstLayer, putTensor, tableFloats } from './kernel-tables.js';
import { TableSumKernel } from './kernels/table-sum.js';
import { firstLayerTables } from './precompute-tables.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

const CONFIG: NetConfig = {
  words: 40,
  upos: 6,
  xpos: 11,
  labels: 9,
  transitions: 17,
  wordDim: 8,
  tagDim: 5,
  labelDim: 8,
  extraDim: 3,
  hidden: [36],
  activation: 'cube',
  dropout: 0,
};

describe('kernelFirstLayer', () => {
  it("builds the tag, label and extra tables bitwise as tfjs's products (depths 5 and 8), and copies the weights", () => {
    const net = new ParserNet(CONFIG, new Rng(4));
    const want = firstLayerTables(net, 25, { wordRows: false });
    const k = new TableSumKernel();
    const floats = tableFloats(net);
    const table = k.alloc(3);
    const regions = { table, upos: 3, xpos: 0, labels: 0, extras: 0 };
    regions.xpos = regions.upos + floats.upos;
    regions.labels = regions.xpos + floats.xpos;
    regions.extras = regions.labels + floats.labels;
    k.alloc(regions.extras + floats.extras - 3);
    const got = kernelFirstLayer(k, net, 25, regions);
    const region = (at: number, n: number) => Array.from(k.f32(table + 4 * at, n));
    expect(region(regions.upos, floats.upos)).toEqual(Array.from(want.upos));
    expect(region(regions.xpos, floats.xpos)).toEqual(Array.from(want.xpos));
    expect(region(regions.labels, floats.labels)).toEqual(Array.from(want.labels));
    expect(region(regions.extras, floats.extras)).toEqual(Array.from(want.extras));
    expect(want.upos.some((v) => v !== 0)).toBe(true);
    const H = CONFIG.hidden[0]!;
    expect(Array.from(k.f32(got.w1Words, TOKEN_POSITIONS * CONFIG.wordDim * H))).toEqual(
      Array.from(want.w1Words),
    );
    expect(Array.from(k.f32(got.wordEmb, CONFIG.words * CONFIG.wordDim))).toEqual(Array.from(want.wordEmb));
    expect(Array.from(k.f32(got.bias, H))).toEqual(Array.from(want.bias));
    expect(got).toMatchObject({ H, topWords: 25, sizes: { upos: 6, xpos: 11, labels: 9, dw: 8 } });
    net.dispose();
  });

  it('copies a tensor into kernel memory, from the wasm heap or through dataSync', () => {
    const k = new TableSumKernel();
    const t = tf.tensor2d([1.5, -2, 3.25, 4, 5, 6], [2, 3]);
    const at = putTensor(k, t);
    expect(Array.from(k.f32(at, 6))).toEqual([1.5, -2, 3.25, 4, 5, 6]);
    t.dispose();
  });
});
