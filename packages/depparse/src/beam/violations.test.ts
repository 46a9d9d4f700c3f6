// Early update and max-violation on hand-made beam traces whose answers are known.
import { describe, expect, it } from 'vitest';
import { type BeamStep, earlyUpdate, maxViolation, ViolationLog } from './violations.js';

const step = (bestScore: number, goldScore: number, goldInBeam: boolean, bestIsGold = false): BeamStep => ({
  bestScore,
  goldScore,
  goldInBeam,
  bestIsGold,
});

describe('early update', () => {
  it('stops at the first step that drops gold from the beam', () => {
    const steps = [
      step(-0.1, -0.1, true, true),
      step(-0.5, -0.9, true),
      step(-1, -3, false),
      step(-1.2, -9, false),
    ];
    expect(earlyUpdate(steps)).toEqual({ step: 2, kind: 'early' });
  });
  it('updates at the end when gold survives but does not win, and not at all when it wins', () => {
    expect(earlyUpdate([step(-0.2, -0.4, true), step(-0.5, -0.6, true)])).toEqual({ step: 1, kind: 'final' });
    expect(earlyUpdate([step(-0.2, -0.4, true), step(-0.5, -0.5, true, true)])).toEqual({
      step: -1,
      kind: 'none',
    });
    expect(earlyUpdate([])).toEqual({ step: -1, kind: 'none' });
  });
});

describe('max-violation', () => {
  it('takes the step of the largest best-minus-gold gap, past the early-update step', () => {
    // gaps 0 (gold best), 0.4, 2 (gold out), 7.8, 5: the largest is at step 3
    const steps = [
      step(-0.1, -0.1, true, true),
      step(-0.5, -0.9, true),
      step(-1, -3, false),
      step(-1.2, -9, false),
      step(-6, -11, false),
    ];
    expect(maxViolation(steps)).toEqual({ step: 3, kind: 'max-violation' });
    expect(earlyUpdate(steps).step).toBe(2);
  });
  it('prefers the earliest of equal gaps, counts a tie with a non-gold best, and needs a violation', () => {
    expect(maxViolation([step(-1, -2, true), step(-2, -3, true)])).toEqual({
      step: 0,
      kind: 'max-violation',
    });
    expect(maxViolation([step(-1, -1, true)])).toEqual({ step: 0, kind: 'max-violation' });
    expect(maxViolation([step(-1, -1, true, true), step(-2, -2, true, true)])).toEqual({
      step: -1,
      kind: 'none',
    });
  });
});

describe('ViolationLog', () => {
  it('turns beam scores and the gold rank into steps, and refuses impossible ranks', () => {
    const log = new ViolationLog();
    log.record([-0.1, -0.3], -0.1, 0);
    log.record([-0.4, -0.6], -0.6, 1);
    log.record([-0.7, -0.8], -2.5, -1);
    log.record([-0.9, -1.0], -4, -1);
    expect(log.steps.map((s) => [s.goldInBeam, s.bestIsGold])).toEqual([
      [true, true],
      [true, false],
      [false, false],
      [false, false],
    ]);
    expect(log.update('early')).toEqual({ step: 2, kind: 'early' });
    expect(log.update('max-violation')).toEqual({ step: 3, kind: 'max-violation' });
    expect(() => log.record([-1], -1, 1)).toThrow(RangeError);
    expect(() => log.record([], -1, -1)).toThrow(RangeError);
    expect(() => log.record([-1], -1, 0.5)).toThrow(RangeError);
  });
});
