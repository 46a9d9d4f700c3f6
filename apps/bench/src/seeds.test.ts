import { describe, expect, it } from 'vitest';
import { meanCurve, seedList, spreadOf, summarize } from './seeds.js';

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
});
