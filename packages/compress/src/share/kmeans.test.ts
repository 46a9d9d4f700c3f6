import { Rng } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { initialCentroids, kmeans1d } from './kmeans.js';

/** Three tight clusters around -1, 0.2 and 2 (400, 200 and 100 points). */
function clustered(): Float32Array {
  const rng = new Rng(9);
  const out: number[] = [];
  for (const [c, n] of [
    [-1, 400],
    [0.2, 200],
    [2, 100],
  ] as const)
    for (let i = 0; i < n; i++) out.push(c + 0.01 * rng.normal());
  return Float32Array.from(out);
}

describe('k-means weight clustering', () => {
  it('linear, density and Forgy initialisations place centroids as Han et al. describe', () => {
    const v = Float32Array.from({ length: 101 }, (_, i) => (i / 100) ** 2);
    expect(Array.from(initialCentroids(v, 3, 'linear'))).toEqual(
      [0, 0.5, 1].map((x, i) => (i === 1 ? x : Math.fround(x))),
    );
    // density: the inverse CDF at 1/6, 1/2, 5/6 of the sorted values
    const d = initialCentroids(v, 3, 'density');
    expect(Array.from(d)).toEqual([16, 50, 84].map((i) => Math.fround((i / 100) ** 2)));
    // Forgy: observed values, distinct, reproducible with the same seed
    const f = initialCentroids(v, 5, 'forgy', new Rng(1));
    expect(new Set(f).size).toBe(5);
    for (const c of f) expect(v).toContain(c);
    expect(initialCentroids(v, 5, 'forgy', new Rng(1))).toEqual(f);
  });

  it('linear initialisation finds all clusters; density and Forgy crowd the dense one (Han et al.)', () => {
    const v = clustered();
    const round = (c: Float32Array) => Array.from(c).map((x) => Math.round(x * 10) / 10);
    const linear = kmeans1d(v, 3, { init: 'linear' });
    expect(round(linear.centroids)).toEqual([-1, 0.2, 2]);
    const counts = [0, 0, 0];
    for (const a of linear.assignments) counts[a]!++;
    expect(counts).toEqual([400, 200, 100]);
    // 57% of the weights sit at -1: density places two of three centroids there, so the rare large
    // weights share one centroid, the reason Han et al. prefer linear initialisation
    expect(round(kmeans1d(v, 3, { init: 'density' }).centroids)).toEqual([-1, -1, 0.8]);
    expect(round(kmeans1d(v, 3, { init: 'forgy', rng: new Rng(2) }).centroids)).toEqual([-1, -1, 0.8]);
    // with enough clusters every initialisation covers the three groups
    for (const init of ['linear', 'density', 'forgy'] as const) {
      const c = round(kmeans1d(v, 8, { init, rng: new Rng(3) }).centroids);
      for (const target of [-1, 0.2, 2]) expect(c).toContain(target);
    }
  });

  it('handles fewer distinct values than clusters, empty input and bad arguments', () => {
    const r = kmeans1d([1, 1, 2, 2, 2], 8);
    expect(Array.from(r.centroids)).toEqual([1, 2]);
    expect(Array.from(r.assignments)).toEqual([0, 0, 1, 1, 1]);
    expect(kmeans1d([], 4).centroids.length).toBe(0);
    expect(() => kmeans1d([1], 0)).toThrow(/k must/);
    expect(() => kmeans1d([Number.NaN], 2)).toThrow(/NaN/);
  });
});
