import { Conv2d, ConvTranspose2d, Dense, initBackend, LayerNorm, Rng } from '@lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightsFormatError } from './errors.js';
import { chwColumnsToHwc, chwRowsToHwc, permuteAxes, torchLocalName, torchToLab } from './layout.js';

const seq = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('permuteAxes', () => {
  it('the conv permutation [2, 3, 1, 0] of [out, in, kh, kw] by index arithmetic, dtype kept', () => {
    const [o, i, h, w] = [3, 2, 2, 4];
    const { values, shape } = permuteAxes(seq(48), [o, i, h, w], [2, 3, 1, 0]);
    expect(shape).toEqual([h, w, i, o]);
    for (let a = 0; a < h; a++)
      for (let b = 0; b < w; b++)
        for (let c = 0; c < i; c++)
          for (let d = 0; d < o; d++)
            expect(values[((a * w + b) * i + c) * o + d]).toBe(((d * i + c) * h + a) * w + b);
    expect(permuteAxes(Int32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0]).values).toEqual(
      Int32Array.from([1, 4, 2, 5, 3, 6]),
    );
  });

  it('identity and rank 1 leave values as they are', () => {
    expect(Array.from(permuteAxes(seq(6), [6], [0]).values)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(permuteAxes(seq(6), [2, 3], [0, 1]).values)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('flatten order conversion', () => {
  it('chwRowsToHwc moves row (c, h, w) to row (h, w, c), whole rows of `out` values', () => {
    const [c, h, w, out] = [2, 1, 3, 2];
    const rows = seq(c * h * w * out);
    const got = chwRowsToHwc(rows, [c, h, w], out);
    for (let cc = 0; cc < c; cc++)
      for (let p = 0; p < h * w; p++)
        for (let k = 0; k < out; k++) expect(got[(p * c + cc) * out + k]).toBe((cc * h * w + p) * out + k);
  });

  it('chwColumnsToHwc reorders the columns of every row the same way', () => {
    const [c, h, w] = [3, 2, 1];
    const got = chwColumnsToHwc(seq(12), 2, [c, h, w]);
    // row 0 columns (c, p): 0..5 as c*2 + p -> order p*3 + c
    expect(Array.from(got)).toEqual([0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11]);
  });

  it('a row move then its inverse as a column move of the transpose agree', () => {
    const [c, h, w, out] = [2, 2, 2, 3];
    const m = seq(c * h * w * out); // [c*h*w, out]
    const viaRows = chwRowsToHwc(m, [c, h, w], out);
    const t = permuteAxes(m, [c * h * w, out], [1, 0]).values; // [out, c*h*w]
    const viaCols = permuteAxes(chwColumnsToHwc(t, out, [c, h, w]), [out, c * h * w], [1, 0]).values;
    expect(Array.from(viaCols)).toEqual(Array.from(viaRows));
  });
});

describe('torchLocalName', () => {
  it('renames BatchNorm buffers only', () => {
    expect(['running_mean', 'running_var', 'weight', 'num_batches_tracked'].map(torchLocalName)).toEqual([
      'runningMean',
      'runningVar',
      'weight',
      'num_batches_tracked',
    ]);
  });
});

describe('torchToLab', () => {
  const modules: { dispose(): void }[] = [];
  let dense: Dense;
  let conv: Conv2d;
  let convT: ConvTranspose2d;
  let norm: LayerNorm;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', fallback: false });
    dense = new Dense(12, 2, { rng: new Rng(1), name: 'fc' });
    conv = new Conv2d(2, 3, 2, { rng: new Rng(2) });
    convT = new ConvTranspose2d(2, 3, 2, { rng: new Rng(3) });
    norm = new LayerNorm(4);
    modules.push(dense, conv, convT, norm);
  });
  afterAll(() => {
    for (const m of modules) m.dispose();
  });

  it('transposes linear weights; permutes conv and transposed-conv filters; passes the rest', () => {
    const lin = torchToLab(dense, 'weight', seq(24), [2, 12]);
    expect(lin.shape).toEqual([12, 2]);
    expect(lin.values[1]).toBe(12); // [0][1] = torch [1][0]
    expect(torchToLab(conv, 'weight', seq(24), [3, 2, 2, 2]).shape).toEqual([2, 2, 2, 3]);
    expect(torchToLab(convT, 'weight', seq(24), [2, 3, 2, 2]).shape).toEqual([2, 2, 3, 2]);
    const bias = seq(3);
    expect(torchToLab(conv, 'bias', bias, [3]).values).toBe(bias);
    expect(torchToLab(norm, 'weight', seq(4), [4]).shape).toEqual([4]);
    // a weight of an unexpected rank passes unchanged (the shape check reports it later)
    expect(torchToLab(dense, 'weight', seq(24), [24]).shape).toEqual([24]);
  });

  it('a linear layer after a flatten reorders its input rows; before an unflatten, its outputs and bias', () => {
    const flat = torchToLab(dense, 'weight', seq(24), [2, 12], { flattenedFrom: [3, 2, 2] });
    const expected = chwRowsToHwc(permuteAxes(seq(24), [2, 12], [1, 0]).values, [3, 2, 2], 2);
    expect(Array.from(flat.values)).toEqual(Array.from(expected));
    const up = new Dense(2, 12, { rng: new Rng(4) });
    modules.push(up);
    const w = torchToLab(up, 'weight', seq(24), [12, 2], { unflattenedTo: [3, 2, 2] });
    expect(Array.from(w.values)).toEqual(
      Array.from(chwColumnsToHwc(permuteAxes(seq(24), [12, 2], [1, 0]).values, 2, [3, 2, 2])),
    );
    const b = torchToLab(up, 'bias', seq(12), [12], { unflattenedTo: [3, 2, 2] });
    expect(Array.from(b.values)).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  });

  it('refuses a feature map whose volume is not the layer size, naming the option and the layer', () => {
    const refuse = (fn: () => unknown, message: string) => {
      expect(fn).toThrow(WeightsFormatError);
      expect(fn).toThrow(message);
    };
    refuse(
      () => torchToLab(dense, 'weight', seq(24), [2, 12], { flattenedFrom: [2, 2, 2], path: 'classifier.1' }),
      'flattenedFrom.classifier.1: [2, 2, 2] holds 8 features but the layer has 12',
    );
    refuse(
      () => torchToLab(dense, 'bias', seq(2), [2], { unflattenedTo: [1, 1, 3] }),
      'unflattenedTo.fc: [1, 1, 3] holds 3 features but the layer has 2',
    );
  });
});
