import { describe, expect, it } from 'vitest';
import { fdPairs, meanCurve, seedList, spreadByStep, spreadOf, summarize } from './seeds.js';

describe('figures over seeds', () => {
  it('gives the mean, sample standard deviation, min and max', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, so the sample std is sqrt(32 / 7)
    const s = spreadOf([2, 4, 4, 4, 5, 5, 7, 9])!;
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect([s.min, s.max, s.n]).toEqual([2, 9, 8]);
  });

  it('has no spread for one value and nothing for no values', () => {
    expect(spreadOf([3.5])).toEqual({ mean: 3.5, std: null, min: 3.5, max: 3.5, n: 1 });
    expect(spreadOf([])).toBeNull();
    expect(spreadOf([null, undefined, Number.NaN])).toBeNull();
    // missing figures (a run without the peer) are left out, not counted as zero
    expect(spreadOf([null, 4, 6])).toMatchObject({ mean: 5, n: 2 });
  });

  it('lists the seeds from the first one', () => {
    expect(seedList(0, 3)).toEqual([0, 1, 2]);
    expect(seedList(7, 1)).toEqual([7]);
  });

  it('summarizes each metric to its decimals, leaving other fields out', () => {
    const runs = [
      { seed: 0, ours_fd: 100.1234, peer_fd: null, note: 'a' },
      { seed: 1, ours_fd: 110.5678, peer_fd: null, note: 'b' },
    ];
    const { means, spread } = summarize(runs, { ours_fd: 2, peer_fd: 3, absent: 1 });
    expect(means).toEqual({ ours_fd: 105.35, peer_fd: null, absent: null });
    expect(spread.ours_fd).toEqual({
      mean: 105.35,
      std: Number(Math.sqrt((110.5678 - 100.1234) ** 2 / 2).toFixed(2)),
      min: 100.12,
      max: 110.57,
      n: 2,
    });
    expect(spread.peer_fd).toBeNull();
    expect(Object.keys(spread)).toEqual(['ours_fd', 'peer_fd', 'absent']);
  });

  it('averages checkpoint curves step by step', () => {
    const curve = meanCurve([
      [
        { step: 50, w: 1, fd: 200 },
        { step: 100, w: 0.5, fd: 150 },
      ],
      [
        { step: 50, w: 3, fd: 220 },
        { step: 100, w: 1.5, fd: 130 },
      ],
    ]);
    expect(curve).toEqual([
      { step: 50, w: 2, fd: 210 },
      { step: 100, w: 1, fd: 140 },
    ]);
    expect(meanCurve([])).toEqual([]);
  });

  it('lists a curve as [step, fd] pairs in step order, keeping a missing FD as null', () => {
    expect(
      fdPairs([
        { step: 200, fd: 80 },
        { step: 100, fd: 300.5 },
        { step: 300, fd: null },
      ]),
    ).toEqual([
      [100, 300.5],
      [200, 80],
      [300, null],
    ]);
    expect(fdPairs([])).toEqual([]);
  });

  it("gives the FD's mean and spread over the seeds at each checkpoint", () => {
    const by = spreadByStep([
      [
        { step: 1000, fd: 300 },
        { step: 2000, fd: 80 },
      ],
      [
        { step: 1000, fd: 500 },
        { step: 2000, fd: null },
        { step: 3000, fd: null },
      ],
      [{ step: 1000, fd: 400 }],
    ]);
    // step 1000: 300, 400, 500 (sample std 100); step 2000: one seed; step 3000: none, left out
    expect(by).toEqual([
      { step: 1000, mean: 400, std: 100, min: 300, max: 500, n: 3 },
      { step: 2000, mean: 80, std: null, min: 80, max: 80, n: 1 },
    ]);
    expect(
      spreadByStep(
        [
          [
            { step: 1, fd: 1.23456 },
            { step: 1, fd: 1.0 },
          ],
        ],
        2,
      )[0],
    ).toMatchObject({
      mean: 1.12,
      min: 1,
      max: 1.23,
    });
    expect(spreadByStep([])).toEqual([]);
  });
});
