// The context encoder in kernel memory against tfjs's encoder (contextTable times the parser's
// context block), for one and two convolutions, widths 3 and 5, tabled and rare words, sentences of
// one token, and batches that grow; and which encoders it takes.
import { initBackend, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SentenceIds } from '../model/features.js';
import { type ContextConfig, contextLayout, type NetConfig, ParserNet } from '../model/model.js';
import { ContextEncoderKernel } from './context-kernel.js';
import { TableSumKernel } from './kernels/table-sum.js';
import { contextBlocks, contextProducts } from './precompute-tables.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

const config = (context: ContextConfig): NetConfig => ({
  words: 25,
  upos: 4,
  xpos: 5,
  labels: 6,
  transitions: 7,
  wordDim: 4,
  tagDim: 2,
  labelDim: 2,
  extraDim: 2,
  hidden: [8],
  activation: 'cube',
  dropout: 0,
  context,
});

/** Sentences of these lengths (root included) with random ids. */
function sentences(lengths: number[], c: NetConfig, seed: number): SentenceIds[] {
  const rng = new Rng(seed);
  const ids = (n: number, k: number) => Int32Array.from({ length: n }, () => rng.int(k));
  return lengths.map((n) => ({ words: ids(n, c.words), upos: ids(n, c.upos), xpos: ids(n, c.xpos) }));
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  let scale = 1e-6;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  expect(worst / scale).toBeLessThan(1e-4);
}

describe('ContextEncoderKernel', () => {
  const cases: [string, ContextConfig, number][] = [
    ['one convolution of width 3, every word tabled', { dim: 4, layers: 1, width: 3 }, 25],
    [
      'two convolutions of width 3 (8 channels, then 4), rare words',
      { dim: 4, layers: 2, width: 3, channels: 8 },
      6,
    ],
    [
      'two convolutions of width 5, two positions, no word tabled',
      { dim: 8, layers: 2, width: 5, positions: 2 },
      0,
    ],
  ];
  for (const [what, context, topWords] of cases)
    it(`gives tfjs's products: ${what}`, () => {
      const c = config(context);
      const net = new ParserNet(c, new Rng(1));
      const blocks = contextBlocks(net, 8)!;
      const k = new TableSumKernel();
      const wordEmb = k.put(net.wordEmbedding.weight.dataSync() as Float32Array);
      const encoder = new ContextEncoderKernel(k, net, blocks, wordEmb, topWords);
      // a small batch, a larger one (new regions), then the small one again
      const small = sentences([3, 1, 5], c, 2);
      const large = sentences([7, 2, 9, 4, 1, 6], c, 3);
      for (const batch of [small, large, small]) {
        const layout = contextLayout(batch, c);
        const at = encoder.run(batch, layout);
        const width = blocks.shape[1]!;
        const want = contextProducts(net, batch, layout, blocks);
        expectClose(k.f32(at, layout.rows * width), want);
      }
      blocks.dispose();
      net.dispose();
    });

  it('fits encoders whose every convolution has a multiple of 4 channels', () => {
    const fits = (context: ContextConfig) => {
      const net = new ParserNet(config(context), new Rng(4));
      const ok = ContextEncoderKernel.fits(net);
      net.dispose();
      return ok;
    };
    expect(fits({ dim: 4, layers: 1, width: 3 })).toBe(true);
    expect(fits({ dim: 8, layers: 2, width: 3, channels: 12 })).toBe(true);
    expect(fits({ dim: 6, layers: 1, width: 3 })).toBe(false);
    expect(fits({ dim: 4, layers: 2, width: 3, channels: 6 })).toBe(false);
  });

  it('allocates kernel memory only, no tensors', () => {
    const c = config({ dim: 4, layers: 2, width: 3 });
    const net = new ParserNet(c, new Rng(5));
    const blocks = contextBlocks(net, 8)!;
    const k = new TableSumKernel();
    const before = tf.memory().numTensors;
    const encoder = new ContextEncoderKernel(
      k,
      net,
      blocks,
      k.put(net.wordEmbedding.weight.dataSync() as Float32Array),
      10,
    );
    const batch = sentences([4, 4], c, 6);
    encoder.run(batch, contextLayout(batch, c));
    expect(tf.memory().numTensors).toBe(before);
    blocks.dispose();
    net.dispose();
  });
});
