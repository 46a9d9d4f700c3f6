// Small dense linear algebra in float64 on row-major arrays, for the statistics around training
// (Gaussian divergences, Fréchet distances, least-squares maps, principal components): matrices of a
// few hundred rows at most, where a plain loop beats a round trip through tensors.

/**
 * The lower Cholesky factor L of a symmetric positive definite A [n, n] (A = L L^T). Throws a
 * RangeError naming `what` when A is not positive definite.
 */
export function cholesky(a: ArrayLike<number>, n: number, what = 'the matrix'): Float64Array {
  if (a.length !== n * n) throw new RangeError(`cholesky: ${a.length} entries for ${n} x ${n}`);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`${what} is not positive definite`);
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j]!;
    }
  return l;
}

/** X [n, m] with A X = B, given A's Cholesky factor L [n, n] and B [n, m] (m right-hand sides). */
export function choleskySolve(l: ArrayLike<number>, b: ArrayLike<number>, n: number, m = 1): Float64Array {
  if (b.length !== n * m) throw new RangeError(`choleskySolve: ${b.length} entries for ${n} x ${m}`);
  const x = Float64Array.from(b);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * m + c]!;
      for (let k = 0; k < i; k++) s -= l[i * n + k]! * x[k * m + c]!;
      x[i * m + c] = s / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * m + c]!;
      for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k * m + c]!;
      x[i * m + c] = s / l[i * n + i]!;
    }
  }
  return x;
}

/**
 * Eigen-decomposition of a symmetric A [n, n] by cyclic Jacobi rotations: A = V diag(values) V^T,
 * eigenvector k in column k of `vectors` (row-major [n, n]); values in no particular order.
 */
export function symmetricEigen(
  a: ArrayLike<number>,
  n: number,
  { sweeps = 100, tolerance = 1e-30 } = {},
): { values: Float64Array; vectors: Float64Array } {
  if (a.length !== n * n) throw new RangeError(`symmetricEigen: ${a.length} entries for ${n} x ${n}`);
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i * n + j]! ** 2;
    if (off < tolerance) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]!;
          const mkq = m[k * n + q]!;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]!;
          const mqk = m[q * n + k]!;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i]!;
  return { values, vectors: v };
}
