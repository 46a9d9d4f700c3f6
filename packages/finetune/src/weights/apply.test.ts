import { BatchNorm, Dense, initBackend, Rng, Sequential } from '@lab/core';
import { memory } from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyTensors, type PreparedTensor } from './apply.js';
import { WeightsFormatError, WeightsMismatchError } from './errors.js';

const t = (
  source: string,
  target: string,
  shape: number[],
  values: number[],
  int = false,
): PreparedTensor => ({
  source,
  target,
  shape,
  values: int ? Int32Array.from(values) : Float32Array.from(values),
});
const read = (m: Sequential, k: string) => Array.from(m.stateDict()[k]!.dataSync());

describe('applyTensors', () => {
  let model: Sequential;
  beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));
  beforeEach(() => {
    model = new Sequential([new Dense(2, 1, { rng: new Rng(1) }), new BatchNorm(1)], 'net');
  });
  afterEach(() => model.dispose());

  const full = () => [
    t('w', '0.weight', [2, 1], [1, 2]),
    t('b', '0.bias', [1], [3]),
    t('g', '1.weight', [1], [4]),
    t('be', '1.bias', [1], [5]),
    t('m', '1.runningMean', [1], [6]),
    t('v', '1.runningVar', [1], [7], true), // int32 values cast to the float32 buffer
  ];

  it('assigns everything that fits and reports each match with its source', () => {
    const before = memory().numTensors;
    const r = applyTensors(model, full(), { ignored: ['num_batches_tracked'], warnings: ['note'] });
    expect(r.matched).toHaveLength(6);
    expect(r.matched[0]).toEqual({ source: 'w', target: '0.weight' });
    expect([r.missing, r.unexpected, r.shapeMismatches]).toEqual([[], [], []]);
    expect([r.ignored, r.warnings]).toEqual([['num_batches_tracked'], ['note']]);
    expect(read(model, '0.weight')).toEqual([1, 2]);
    expect(read(model, '1.runningVar')).toEqual([7]);
    expect(model.stateDict()['1.runningVar']!.dtype).toBe('float32');
    expect(memory().numTensors).toBe(before);
  });

  it('strict: one error listing missing, unexpected (given and found) and misshapen; nothing assigned', () => {
    const w0 = read(model, '0.weight');
    const prepared = [
      t('w', '0.weight', [1, 2], [9, 9]),
      t('x', 'nope', [1], [0]),
      t('b', '0.bias', [1], [9]),
    ];
    let error: WeightsMismatchError | undefined;
    try {
      applyTensors(model, prepared, { unexpected: ['extra'] });
    } catch (e) {
      error = e as WeightsMismatchError;
    }
    expect(error).toBeInstanceOf(WeightsMismatchError);
    expect(error!.report.missing).toEqual(['1.weight', '1.bias', '1.runningMean', '1.runningVar']);
    expect(error!.report.unexpected).toEqual(['extra', 'x']);
    expect(error!.report.shapeMismatches).toEqual([
      { source: 'w', target: '0.weight', expected: [2, 1], got: [1, 2] },
    ]);
    expect(error!.message).toMatch(/^net: the weights do not fit \(7 problems; nothing loaded\)/);
    expect(read(model, '0.weight')).toEqual(w0);
    expect(read(model, '0.bias')).not.toEqual([9]);
  });

  it('non-strict: assigns what fits, a misshapen tensor is not missing too', () => {
    const r = applyTensors(model, [t('w', '0.weight', [1, 2], [9, 9]), t('b', '0.bias', [1], [8])], {
      strict: false,
    });
    expect(r.matched).toEqual([{ source: 'b', target: '0.bias' }]);
    expect(r.missing).not.toContain('0.weight');
    expect(read(model, '0.bias')).toEqual([8]);
  });

  it('refuses two file tensors for one target, naming both', () => {
    const twice = [t('a', '0.bias', [1], [1]), t('b', '0.bias', [1], [2])];
    expect(() => applyTensors(model, twice)).toThrow(WeightsFormatError);
    expect(() => applyTensors(model, twice)).toThrow("b: maps to '0.bias', which 'a' already fills");
  });

  it('looks targets up as own state entries: prototype names are unexpected', () => {
    const r = applyTensors(
      model,
      [...full(), t('p', '__proto__', [1], [0]), t('c', 'constructor', [1], [0])],
      {
        strict: false,
      },
    );
    expect(r.unexpected).toEqual(['p', 'c']);
    expect(r.matched).toHaveLength(6);
  });
});
