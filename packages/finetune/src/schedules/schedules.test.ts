import { adam, initBackend, Optimizer } from '@lab/core';
import { dispose, memory, ones, scalar, variable } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosineWithWarmup, linearWarmup, oneCycle, scaledSchedule } from './schedules.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

describe('linearWarmup', () => {
  it('rises linearly to the rate, then runs the following schedule from its step 0', () => {
    const s = linearWarmup((step) => 0.1 / (1 + step), 4);
    expect(s(0)).toBe(0);
    expect(s(1)).toBeCloseTo(0.025, 12);
    expect(s(3)).toBeCloseTo(0.075, 12);
    expect(s(4)).toBeCloseTo(0.1, 12);
    expect(s(5)).toBeCloseTo(0.05, 12);
    const c = linearWarmup(0.2, 10, { startFactor: 0.5 });
    expect(c(0)).toBeCloseTo(0.1, 12);
    expect(c(5)).toBeCloseTo(0.15, 12);
    expect(c(50)).toBe(0.2);
  });
  it('refuses bad options', () => {
    expect(() => linearWarmup(0.1, 0)).toThrow(/warmupSteps/);
    expect(() => linearWarmup(0.1, 2, { startFactor: 2 })).toThrow(/startFactor/);
    expect(() => linearWarmup(Number.NaN, 2)).toThrow(/rate/);
  });
});

describe('cosineWithWarmup', () => {
  it("matches Hugging Face's formula at key steps", () => {
    const s = cosineWithWarmup(1, 110, 10);
    expect(s(0)).toBe(0);
    expect(s(5)).toBeCloseTo(0.5, 12);
    expect(s(10)).toBeCloseTo(1, 12);
    // halfway through the decay: 0.5 * (1 + cos(pi / 2)) = 0.5
    expect(s(60)).toBeCloseTo(0.5, 12);
    // a quarter: 0.5 * (1 + cos(pi / 4))
    expect(s(35)).toBeCloseTo(0.5 * (1 + Math.SQRT1_2), 12);
    expect(s(110)).toBeCloseTo(0, 12);
    expect(s(500)).toBeCloseTo(0, 12);
    expect(cosineWithWarmup(1, 10, 0, 0.1)(10)).toBeCloseTo(0.1, 12);
    expect(() => cosineWithWarmup(1, 10, 10)).toThrow(/warmupSteps/);
  });
});

describe('oneCycle', () => {
  it("follows fastai's fit_one_cycle: cosine up over pctStart, cosine down, momentum mirrored", () => {
    const { lr, momentum } = oneCycle(1, 100); // pctStart 0.25, div 25, final div 1e5
    expect(lr(0)).toBeCloseTo(1 / 25, 12);
    expect(lr(25)).toBeCloseTo(1, 12);
    expect(lr(100)).toBeCloseTo(1 / 25 / 1e5, 15);
    // halfway up: the mean of start and peak
    expect(lr(12.5)).toBeCloseTo((1 / 25 + 1) / 2, 12);
    // a third of the way down (p = 0.5): end + (1 - end) / 2 * (1 + cos(pi / 3))
    const end = 1 / 25 / 1e5;
    expect(lr(50)).toBeCloseTo(end + ((1 - end) / 2) * 1.5, 12);
    expect(momentum(0)).toBeCloseTo(0.95, 12);
    expect(momentum(25)).toBeCloseTo(0.85, 12);
    expect(momentum(100)).toBeCloseTo(0.95, 12);
    expect(momentum(12.5)).toBeCloseTo(0.9, 12);
    expect(lr(1000)).toBeCloseTo(end, 15);
    expect(() => oneCycle(1, 10, { pctStart: 1 })).toThrow(/pctStart/);
    expect(() => oneCycle(1, 0)).toThrow(/steps/);
  });

  it("drives a core optimizer's rate, step by step", () => {
    const { lr } = oneCycle(0.5, 8, { pctStart: 0.5 });
    const scaled = scaledSchedule(lr, 2);
    expect(scaled(4)).toBeCloseTo(1, 12);
    // sgd-like check through adam: with a constant gradient each Adam update is -lr(step) (bias-corrected)
    const v = variable(scalar(0));
    const opt = new Optimizer(adam(lr), { v });
    const g = ones([]);
    const before = memory().numTensors;
    let prev = 0;
    for (let step = 0; step < 8; step++) {
      opt.step({ v: g });
      const now = v.dataSync()[0]!;
      expect(now - prev).toBeCloseTo(-lr(step), 6);
      prev = now;
    }
    expect(memory().numTensors).toBe(before);
    opt.dispose();
    dispose([v, g]);
  });
});
