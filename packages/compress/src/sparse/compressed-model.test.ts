// CompressedModel.load's plan on a tiny network: which layers run sparse under each mode and
// maxDensity, the fused ReLU, raw weights staying dense, the refusals naming the tensor, and the
// architecture's replaced layers disposed (sparse.test.ts runs a whole compressed LeNet).
import { Dense, initBackend, ReLU, Rng, Sequential } from '@lab/core';
import { dispose, memory, tensor2d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCompressed } from '../coding/encode.js';
import { CompressedModel, CompressedModelError } from './compressed-model.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const arch = () =>
  new Sequential([new Dense(4, 3, { rng: new Rng(9) }), ReLU(), new Dense(3, 2, { rng: new Rng(8) })], 'net');

/** Layer 0 keeps 3 of 12 weights (density 0.25, 3 distinct values: shared), layer 2 keeps 5 of 6. */
function weights() {
  const w0 = Float32Array.from([1, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 2]);
  const w2 = Float32Array.from([0.5, -0.25, 1, 0, 2, -2]);
  return {
    '0.weight': { shape: [4, 3], values: w0 },
    '0.bias': { shape: [3], values: Float32Array.from([0.5, -3, 0]) },
    '2.weight': { shape: [3, 2], values: w2 },
    '2.bias': { shape: [2], values: Float32Array.from([0, 1]) },
  };
}

/** relu(x W0 + b0) W2 + b2 on plain arrays. */
function reference(x: number[][]): number[] {
  const w = weights();
  const h = x.map((row) =>
    [0, 1, 2].map((j) =>
      Math.max(
        0,
        w['0.bias'].values[j]! + row.reduce((s, v, i) => s + v * w['0.weight'].values[i * 3 + j]!, 0),
      ),
    ),
  );
  return h.flatMap((row) =>
    [0, 1].map(
      (j) => w['2.bias'].values[j]! + row.reduce((s, v, i) => s + v * w['2.weight'].values[i * 2 + j]!, 0),
    ),
  );
}

const X = [
  [1, 2, 3, 4],
  [-1, 0, 0.5, 2],
];

function predict(model: CompressedModel): number[] {
  const x = tensor2d(X);
  const y = model.predict(x);
  const out = Array.from(y.dataSync());
  dispose([x, y]);
  return out;
}

describe('CompressedModel.load', () => {
  it("'auto' runs the sparse layer sparse with its ReLU fused, and the dense one dense", () => {
    const bytes = encodeCompressed(weights(), {
      encoding: { '0.weight': 'shared', '2.weight': 'sparse' },
    }).bytes;
    const model = CompressedModel.load(bytes, arch());
    expect(model.plan).toEqual([
      { index: 0, name: 'dense', runs: 'sparse-shared', density: 0.25 },
      { index: 2, name: 'dense', runs: 'dense', density: 5 / 6 },
    ]);
    // the ReLU is fused into the SparseDense: two layers left
    expect(model.model.layers.map((l) => l.constructor.name)).toEqual(['SparseDense', 'Dense']);
    predict(model).forEach((v, i) => {
      expect(v).toBeCloseTo(reference(X)[i]!, 5);
    });
    model.dispose();
  });

  it("'sparse' runs both stored-sparse layers on the kernel; 'dense' neither; maxDensity moves the line", () => {
    const bytes = encodeCompressed(weights(), {
      encoding: { '0.weight': 'sparse', '2.weight': 'sparse' },
    }).bytes;
    const runs = (options: object) => {
      const m = CompressedModel.load(bytes, arch(), options);
      const r = m.plan.map((p) => p.runs);
      predict(m).forEach((v, i) => {
        expect(v).toBeCloseTo(reference(X)[i]!, 5);
      });
      m.dispose();
      return r;
    };
    expect(runs({ mode: 'sparse' })).toEqual(['sparse-float', 'sparse-float']);
    expect(runs({ mode: 'dense' })).toEqual(['dense', 'dense', 'dense']);
    expect(runs({ maxDensity: 0.2 })).toEqual(['dense', 'dense', 'dense']);
    expect(runs({ maxDensity: 1, javascript: true })).toEqual(['sparse-float', 'sparse-float']);
  });

  it('keeps raw-stored weights dense even in sparse mode, and leaks nothing', () => {
    const bytes = encodeCompressed(weights(), { encoding: { '0.weight': 'raw', '2.weight': 'raw' } }).bytes;
    const before = memory().numTensors;
    const model = CompressedModel.load(bytes, arch(), { mode: 'sparse' });
    expect(model.plan.map((p) => [p.runs, p.density])).toEqual([
      ['dense', 1],
      ['dense', 1],
      ['dense', 1],
    ]);
    predict(model).forEach((v, i) => {
      expect(v).toBeCloseTo(reference(X)[i]!, 5);
    });
    model.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('disposes the Dense layers it replaces and keeps the others in the new model', () => {
    const bytes = encodeCompressed(weights(), { encoding: { '0.weight': 'sparse' } }).bytes;
    const a = arch();
    const [first, , last] = a.layers as Dense[];
    const model = CompressedModel.load(bytes, a, { mode: 'sparse' });
    expect(first!.weight.isDisposed).toBe(true);
    expect(last!.weight.isDisposed).toBe(false);
    expect(model.model.layers[1]).toBe(last);
    model.dispose();
    expect(last!.weight.isDisposed).toBe(true);
  });

  it('refuses a bad maxDensity, an extra tensor and a wrong shape, naming them', () => {
    const bytes = encodeCompressed(weights()).bytes;
    const a = arch();
    for (const maxDensity of [-0.1, 1.5, Number.NaN])
      expect(() => CompressedModel.load(bytes, a, { maxDensity })).toThrow(/maxDensity must be in \[0, 1\]/);
    const extra = encodeCompressed({
      ...weights(),
      '5.weight': { shape: [1], values: Float32Array.from([1]) },
    }).bytes;
    expect(() => CompressedModel.load(extra, a)).toThrow(CompressedModelError);
    expect(() => CompressedModel.load(extra, a)).toThrow(
      "the file's tensor '5.weight' is not in the architecture",
    );
    const w = weights();
    const wrong = encodeCompressed({ ...w, '2.bias': { shape: [1, 2], values: w['2.bias'].values } }).bytes;
    expect(() => CompressedModel.load(wrong, a)).toThrow(
      "tensor '2.bias' is [1, 2] in the file, [2] in the architecture",
    );
    a.dispose();
  });
});
