// Spearman's rank correlation, used to relate the Wasserstein estimate to sample quality (FID).

/** Spearman's rank correlation, with average ranks for ties. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`a has ${a.length} values but b has ${b.length}`);
  if (a.length < 2) throw new RangeError('spearman needs at least two pairs');
  const ranks = (x: ArrayLike<number>) => {
    const idx = Array.from({ length: x.length }, (_, i) => i).sort((i, j) => x[i]! - x[j]!);
    const r = new Array<number>(x.length);
    for (let k = 0; k < idx.length; ) {
      let e = k;
      while (e + 1 < idx.length && x[idx[e + 1]!] === x[idx[k]!]) e++;
      for (let m = k; m <= e; m++) r[idx[m]!] = (k + e) / 2 + 1;
      k = e + 1;
    }
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length + 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i]! - mean) * (rb[i]! - mean);
    da += (ra[i]! - mean) ** 2;
    db += (rb[i]! - mean) ** 2;
  }
  return da === 0 || db === 0 ? Number.NaN : num / Math.sqrt(da * db);
}
