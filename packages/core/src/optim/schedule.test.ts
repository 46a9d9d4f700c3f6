import { describe, expect, it } from 'vitest';
import {
  constantSchedule,
  cosineSchedule,
  oneCycleSchedule,
  polynomialSchedule,
  stepSchedule,
} from './schedule.js';

describe('schedules', () => {
  it('constantSchedule ignores the step', () => {
    const s = constantSchedule(0.3);
    expect([s(0), s(7), s(1e6)]).toEqual([0.3, 0.3, 0.3]);
  });

  it('stepSchedule drops by gamma at each multiple of stepSize, and refuses stepSize < 1', () => {
    const s = stepSchedule(2, 3, 0.5);
    expect([0, 1, 2, 3, 5, 6, 9].map(s)).toEqual([2, 2, 2, 1, 1, 0.5, 0.25]);
    expect(stepSchedule(1, 1)(2)).toBeCloseTo(0.01, 15);
    expect(() => stepSchedule(1, 0)).toThrow('stepSchedule: stepSize must be >= 1, got 0');
    expect(() => stepSchedule(1, Number.NaN)).toThrow(RangeError);
  });

  it('cosineSchedule: lr at 0, the mean of lr and minLr half way, minLr at and after the end', () => {
    const s = cosineSchedule(1, 8, 0.2);
    expect(s(0)).toBe(1);
    expect(s(4)).toBeCloseTo(0.6, 12);
    expect(s(2)).toBeCloseTo(0.2 + 0.4 * (1 + Math.SQRT1_2), 12);
    expect(s(8)).toBeCloseTo(0.2, 12);
    expect(s(100)).toBeCloseTo(0.2, 12);
  });

  it('polynomialSchedule: linear by default, power p, end after steps', () => {
    expect([0, 5, 10, 20].map(polynomialSchedule(1, 0.5, 10))).toEqual([1, 0.75, 0.5, 0.5]);
    expect(polynomialSchedule(1, 0, 4, 3)(2)).toBeCloseTo(0.125, 12);
  });

  it('oneCycleSchedule rises from maxLr / div to maxLr at step pctStart * steps - 1, then falls to the final rate', () => {
    const steps = 50;
    const s = oneCycleSchedule(0.5, steps, { pctStart: 0.2, divFactor: 10, finalDivFactor: 100 });
    const lr = Array.from({ length: steps }, (_, i) => s(i));
    const up = 9; // floor(0.2 * 50) - 1
    expect(lr[0]).toBeCloseTo(0.05, 12);
    expect(lr[up]).toBeCloseTo(0.5, 12);
    for (let i = 1; i <= up; i++) expect(lr[i]!).toBeGreaterThan(lr[i - 1]!);
    for (let i = up + 1; i < steps; i++) expect(lr[i]!).toBeLessThan(lr[i - 1]!);
    expect(lr[steps - 1]).toBeCloseTo(0.05 / 100, 12);
    // past the end it stays at the final rate
    expect(s(500)).toBeCloseTo(0.0005, 12);
  });

  it('oneCycleSchedule stays finite for one or two steps', () => {
    for (const steps of [1, 2]) {
      const s = oneCycleSchedule(1, steps);
      for (let i = 0; i < 3; i++) expect(Number.isFinite(s(i))).toBe(true);
    }
  });
});
