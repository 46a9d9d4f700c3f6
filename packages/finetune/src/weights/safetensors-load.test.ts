import {
  adam,
  BatchNorm,
  Conv2d,
  checkpointToBytes,
  Dense,
  initBackend,
  Optimizer,
  ReLU,
  Rng,
  SafetensorsError,
  Sequential,
  serializeSafetensors,
  type TensorEntry,
} from '@lab/core';
import { memory, type Tensor } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { WeightsFormatError, WeightsMismatchError } from './errors.js';
import { permuteAxes } from './layout.js';
import { loadSafetensors } from './safetensors-load.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

const net = (seed: number, classes = 3) =>
  new Sequential([
    new Conv2d(2, 3, 3, { rng: new Rng(seed) }),
    new BatchNorm(3),
    ReLU(),
    new Dense(3, classes, { rng: new Rng(seed + 1) }),
  ]);
const values = (t: Tensor) => Array.from(t.dataSync());
const entries = (m: Sequential): Record<string, TensorEntry> =>
  Object.fromEntries(
    Object.entries(m.stateDict()).map(([k, v]) => [
      k,
      { dtype: 'F32', shape: v.shape, data: v.dataSync() as Float32Array },
    ]),
  );
const f32 = (shape: number[], fill: (i: number) => number): TensorEntry => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'F32', shape, data: Float32Array.from({ length: n }, (_, i) => fill(i)) };
};

describe('loadSafetensors: @lab checkpoints and state dicts', () => {
  it('restores a module from a checkpoint written by core, ignoring optimizer state', () => {
    const a = net(1);
    const opt = new Optimizer(adam(1e-3), a.trainableParameters());
    const bytes = checkpointToBytes({ modules: { net: a }, optimizers: { opt }, step: 3 });
    const b = net(7);
    expect(values(b.stateDict()['0.weight']!)).not.toEqual(values(a.stateDict()['0.weight']!));
    const report = loadSafetensors(b, bytes);
    for (const [k, v] of Object.entries(a.stateDict())) expect(values(b.stateDict()[k]!)).toEqual(values(v));
    expect(report.matched.map((m) => m.target).sort()).toEqual(Object.keys(a.stateDict()).sort());
    expect(report.matched[0]!.source).toMatch(/^module\.net\./);
    expect(report.ignored.length).toBeGreaterThan(0);
    expect(report.ignored.every((n) => n.startsWith('optim.opt'))).toBe(true);
    a.dispose();
    b.dispose();
    opt.dispose();
  });

  it('asks which module when a checkpoint holds several, and names the ones it has', () => {
    const a = net(1);
    const c = net(2);
    const bytes = checkpointToBytes({ modules: { generator: a, critic: c } });
    const b = net(3);
    expect(() => loadSafetensors(b, bytes)).toThrow(/holds 2 modules \(.*generator.*\)/);
    expect(() => loadSafetensors(b, bytes, { checkpointModule: 'nope' })).toThrow(
      /'nope' is not in the checkpoint \(it has: .*critic/,
    );
    loadSafetensors(b, bytes, { checkpointModule: 'critic' });
    expect(values(b.stateDict()['3.weight']!)).toEqual(values(c.stateDict()['3.weight']!));
    for (const m of [a, b, c]) m.dispose();
  });

  it('needs the layout for a file that does not say whose it is', () => {
    const a = net(1);
    const bytes = serializeSafetensors(entries(a));
    const b = net(2);
    expect(() => loadSafetensors(b, bytes)).toThrow(WeightsFormatError);
    expect(() => loadSafetensors(b, bytes)).toThrow(/pass layout: 'lab' or 'torch'/);
    expect(() => loadSafetensors(b, bytes, { layout: 'keras' as never })).toThrow(/layout: must be/);
    const report = loadSafetensors(b, bytes, { layout: 'lab' });
    expect(report.matched).toHaveLength(8);
    expect(values(b.stateDict()['1.runningVar']!)).toEqual(values(a.stateDict()['1.runningVar']!));
    a.dispose();
    b.dispose();
  });
});

describe('loadSafetensors: strict and non-strict', () => {
  // a file for a 3-class net, one tensor renamed, loaded into a 5-class net
  const fileFor = () => {
    const a = net(1);
    const e = entries(a);
    e['extra.weight'] = f32([2], () => 1);
    delete e['1.runningMean'];
    const bytes = serializeSafetensors(e, { format: 'pt' });
    a.dispose();
    return bytes;
  };

  it('strict: one error lists every missing, unexpected and misshapen tensor, and nothing is loaded', () => {
    const b = net(2, 5);
    const before = values(b.stateDict()['0.weight']!);
    let error: unknown;
    try {
      loadSafetensors(b, fileFor(), { layout: 'lab' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WeightsMismatchError);
    const err = error as WeightsMismatchError;
    expect(err.problems).toEqual([
      'missing: 1.runningMean (no tensor in the file)',
      'unexpected: extra.weight (nothing in the model)',
      'shape mismatch: 3.bias -> 3.bias: model [5], file [3]',
      'shape mismatch: 3.weight -> 3.weight: model [3, 5], file [3, 3]',
    ]);
    expect(err.message).toMatch(/4 problems; nothing loaded/);
    expect(values(b.stateDict()['0.weight']!)).toEqual(before);
    b.dispose();
  });

  it('non-strict: loads what fits and reports the rest', () => {
    const b = net(2, 5);
    const head = values(b.stateDict()['3.weight']!);
    const report = loadSafetensors(b, fileFor(), { layout: 'lab', strict: false });
    expect(report.missing).toEqual(['1.runningMean']); // misshapen ones are listed once, as mismatches
    expect(report.unexpected).toEqual(['extra.weight']);
    expect(report.shapeMismatches.map((m) => m.target)).toEqual(['3.bias', '3.weight']);
    expect(report.matched.map((m) => m.target).sort()).toEqual([
      '0.bias',
      '0.weight',
      '1.bias',
      '1.runningVar',
      '1.weight',
    ]);
    expect(values(b.stateDict()['3.weight']!)).toEqual(head);
    b.dispose();
  });
});

describe('loadSafetensors: PyTorch names and layouts', () => {
  it('transposes linear [out, in] and conv [out, in, kh, kw], renames BatchNorm buffers, ignores num_batches_tracked', () => {
    const torch: Record<string, TensorEntry> = {
      'features.0.weight': f32([3, 2, 3, 3], (i) => i),
      'features.0.bias': f32([3], (i) => i),
      'features.1.weight': f32([3], () => 2),
      'features.1.bias': f32([3], () => 0.5),
      'features.1.running_mean': f32([3], (i) => i / 10),
      'features.1.running_var': f32([3], (i) => 1 + i),
      'features.1.num_batches_tracked': { dtype: 'I64', shape: [], data: new Uint8Array(8) as never },
      'classifier.weight': f32([3, 3], (i) => i), // [out, in]
      'classifier.bias': f32([3], () => 0),
    };
    const b = net(2);
    const report = loadSafetensors(b, serializeSafetensors(torch, { format: 'pt' }), {
      nameMap: (name) => name.replace(/^features\./, '').replace(/^classifier\./, '3.'),
    });
    expect(report.ignored).toEqual(['features.1.num_batches_tracked']);
    expect(report.matched).toContainEqual({ source: 'features.1.running_var', target: '1.runningVar' });
    const sd = b.stateDict();
    // Dense: ours[i][o] = torch[o][i]
    expect(values(sd['3.weight']!)).toEqual([0, 3, 6, 1, 4, 7, 2, 5, 8]);
    // Conv: ours[kh][kw][in][out] = torch[out][in][kh][kw] = out*18 + in*9 + kh*3 + kw
    const w = values(sd['0.weight']!);
    expect(w[0]).toBe(0); // kh=kw=in=out=0
    expect(w[1]).toBe(18); // out=1
    expect(w[3]).toBe(9); // in=1
    expect(w[2 * 3 * 2 * 3 + 1 * 2 * 3]).toBe(2 * 3 + 1); // kh=2, kw=1
    expect(values(sd['1.runningVar']!)).toEqual([1, 2, 3]);
    b.dispose();
  });

  it('an explicit name map renames listed names, keeps the rest, and drops names mapped to null', () => {
    const a = net(1);
    const e = entries(a);
    e['model.head.w'] = e['3.weight']!;
    delete e['3.weight'];
    e['1.num_batches_tracked'] = f32([], () => 3);
    const b = net(2);
    const report = loadSafetensors(b, serializeSafetensors(e), {
      layout: 'lab',
      nameMap: { 'model.head.w': '3.weight', '1.num_batches_tracked': null },
    });
    expect(report.ignored).toEqual(['1.num_batches_tracked']);
    expect(values(b.stateDict()['3.weight']!)).toEqual(values(a.stateDict()['3.weight']!));
    a.dispose();
    b.dispose();
  });

  it('checks flattenedFrom against the model and the weight', () => {
    const b = net(2);
    const bytes = serializeSafetensors(entries(b), { format: 'pt' });
    expect(() => loadSafetensors(b, bytes, { flattenedFrom: { '9': [3, 1, 1] } })).toThrow(
      /flattenedFrom\.9: no module has this path/,
    );
    expect(() => loadSafetensors(b, bytes, { flattenedFrom: { '3': [3, 2, 2] } })).toThrow(
      /flattenedFrom\.3: \[3, 2, 2\] holds 12 features but the layer has 3/,
    );
    b.dispose();
  });
});

describe('loadSafetensors: hostile input', () => {
  it('a tensor named __proto__ is an ordinary unexpected name, not a lost tensor or a prototype', () => {
    const b = net(2);
    const bytes = serializeSafetensors({ ...entries(b), ['__proto__']: f32([1], () => 1) });
    expect(() => loadSafetensors(b, bytes, { layout: 'lab' })).toThrow(/unexpected: __proto__/);
    const report = loadSafetensors(b, bytes, { layout: 'lab', strict: false });
    expect(report.unexpected).toEqual(['__proto__']);
    expect(report.missing).toEqual([]);
    b.dispose();
  });

  it('names like constructor and toString are plain unexpected names, also through a name map object', () => {
    const b = net(2);
    const e = { ...entries(b), constructor: f32([1], () => 1), toString: f32([1], () => 1) };
    const report = loadSafetensors(b, serializeSafetensors(e), {
      layout: 'lab',
      strict: false,
      nameMap: { '0.weight': '0.weight' },
    });
    expect(report.unexpected.sort()).toEqual(['constructor', 'toString']);
    expect(report.missing).toEqual([]);
    b.dispose();
  });

  it('typed errors for a bad name map result, a duplicate target, a BOOL weight and a corrupt file', () => {
    const b = net(2);
    const bytes = serializeSafetensors(entries(b));
    expect(() => loadSafetensors(b, bytes, { layout: 'lab', nameMap: () => 3 as never })).toThrow(
      /nameMap\(.*\): returned number/,
    );
    expect(() => loadSafetensors(b, bytes, { layout: 'lab', nameMap: () => '0.bias' })).toThrow(
      /maps to '0\.bias', which '.*' already fills/,
    );
    const boolFile = serializeSafetensors({
      ...entries(b),
      '0.bias': { dtype: 'BOOL', shape: [3], data: new Uint8Array(3) },
    });
    expect(() => loadSafetensors(b, boolFile, { layout: 'lab' })).toThrow(
      expect.objectContaining({ code: 'BadDtype', where: '0.bias' }),
    );
    expect(() => loadSafetensors(b, bytes.subarray(0, bytes.length - 1), { layout: 'lab' })).toThrow(
      SafetensorsError,
    );
    b.dispose();
  });

  it('leaves no tensors behind', () => {
    const a = net(1);
    const bytes = serializeSafetensors(entries(a), { format: 'pt' });
    const b = net(2);
    const before = memory().numTensors;
    loadSafetensors(b, bytes, { strict: false });
    expect(memory().numTensors).toBe(before);
    a.dispose();
    b.dispose();
  });
});

describe('permuteAxes', () => {
  it('matches a hand transpose of a 2x3x4 array', () => {
    const x = Float32Array.from({ length: 24 }, (_, i) => i);
    const { values: y, shape } = permuteAxes(x, [2, 3, 4], [2, 0, 1]);
    expect(shape).toEqual([4, 2, 3]);
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 3; b++)
        for (let c = 0; c < 4; c++) expect(y[c * 6 + a * 3 + b]).toBe(a * 12 + b * 4 + c);
  });
});
