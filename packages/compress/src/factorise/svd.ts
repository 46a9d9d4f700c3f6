// Singular value decomposition in float64 by one-sided Jacobi rotations (Hestenes): the columns of A
// are rotated in pairs until they are mutually orthogonal, so A V = U diag(s) with V orthogonal. It
// works on A itself, not on A^T A, so small singular values keep their relative accuracy and a
// full-rank reconstruction is exact to rounding. The cost per sweep is about 3 min(m, n)^2 max(m, n)
// flops; a handful of sweeps converge.

export interface Svd {
  /** Rows of A. */
  m: number;
  /** Columns of A. */
  n: number;
  /** min(m, n): the number of singular triplets. */
  k: number;
  /** Left singular vectors, row-major [m, k] (column j belongs to s[j]). */
  u: Float64Array;
  /** Singular values, descending, >= 0. */
  s: Float64Array;
  /** Right singular vectors, row-major [n, k]: A = U diag(s) V^T. */
  v: Float64Array;
  /** Sweeps the rotations took. */
  sweeps: number;
}

export interface SvdOptions {
  /** Most sweeps before giving up with an error. Default 60. */
  maxSweeps?: number;
  /** A pair counts as orthogonal when |a_p . a_q| <= tolerance sqrt(|a_p|^2 |a_q|^2). Default 1e-15. */
  tolerance?: number;
}

/** The SVD of A (row-major [m, n], any values that are finite). */
export function svd(a: ArrayLike<number>, m: number, n: number, options: SvdOptions = {}): Svd {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1)
    throw new RangeError(`svd: the shape must be two positive integers, got [${m}, ${n}]`);
  if (a.length !== m * n) throw new RangeError(`svd: ${a.length} entries for [${m}, ${n}]`);
  for (let i = 0; i < a.length; i++)
    if (!Number.isFinite(a[i])) throw new RangeError(`svd: entry ${i} is ${a[i]}, not a finite number`);
  if (n > m) {
    // A^T = V S U^T: decompose the transpose, whose columns are the fewer ones
    const t = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
    const r = jacobi(t, n, m, options);
    return { m, n, k: r.k, u: r.v, s: r.s, v: r.u, sweeps: r.sweeps };
  }
  return jacobi(a, m, n, options);
}

/** One-sided Jacobi on A [m, n] with n <= m. */
function jacobi(a: ArrayLike<number>, m: number, n: number, options: SvdOptions): Svd {
  const { maxSweeps = 60, tolerance = 1e-15 } = options;
  // columns stored contiguously, so the dot products run along memory
  const cols = Array.from({ length: n }, (_, j) => {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = a[i * n + j]!;
    return c;
  });
  const vcols = Array.from({ length: n }, (_, j) => {
    const c = new Float64Array(n);
    c[j] = 1;
    return c;
  });
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) norms[j] = dot(cols[j]!, cols[j]!, m);
  // A column rotated down to rounding noise (A is rank-deficient) points anywhere, and no relative
  // test can make it orthogonal to the others: below this squared norm, of the order of the
  // rounding error of ||A||_F^2, a column counts as zero (it holds a singular value of ~0).
  const negligible = norms.reduce((x, y) => x + y, 0) * (Math.max(m, n) * Number.EPSILON) ** 2;
  let sweeps = 0;
  for (let rotated = true; rotated; ) {
    if (sweeps === maxSweeps) throw new Error(`svd: no convergence after ${maxSweeps} sweeps`);
    sweeps++;
    rotated = false;
    for (let j = 0; j < n; j++) norms[j] = dot(cols[j]!, cols[j]!, m);
    for (let p = 0; p < n - 1; p++) {
      const cp = cols[p]!;
      const vp = vcols[p]!;
      for (let q = p + 1; q < n; q++) {
        const alpha = norms[p]!;
        const beta = norms[q]!;
        if (alpha <= negligible || beta <= negligible) continue;
        const cq = cols[q]!;
        const gamma = dot(cp, cq, m);
        if (Math.abs(gamma) <= tolerance * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(cp, cq, c, s, m);
        rotate(vp, vcols[q]!, c, s, n);
        norms[p] = alpha - t * gamma;
        norms[q] = beta + t * gamma;
      }
    }
  }
  const sigma = cols.map((c) => Math.sqrt(dot(c, c, m)));
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => sigma[y]! - sigma[x]!);
  const u = new Float64Array(m * n);
  const v = new Float64Array(n * n);
  const s = new Float64Array(n);
  order.forEach((j, rank) => {
    s[rank] = sigma[j]!;
    const c = cols[j]!;
    // a zero column has no direction; its U column stays zero (it is multiplied by s = 0)
    const inv = sigma[j]! > 0 ? 1 / sigma[j]! : 0;
    for (let i = 0; i < m; i++) u[i * n + rank] = c[i]! * inv;
    const vc = vcols[j]!;
    for (let i = 0; i < n; i++) v[i * n + rank] = vc[i]!;
  });
  return { m, n, k: n, u, s, v, sweeps };
}

function dot(x: Float64Array, y: Float64Array, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += x[i]! * y[i]!;
  return s;
}

/** (x, y) <- (c x - s y, s x + c y). */
function rotate(x: Float64Array, y: Float64Array, c: number, s: number, len: number): void {
  for (let i = 0; i < len; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    x[i] = c * xi - s * yi;
    y[i] = s * xi + c * yi;
  }
}

/**
 * The rank-r truncation as two factors: left [m, r] = U_r diag(sqrt s_r) and right [r, n] =
 * diag(sqrt s_r) V_r^T, so left x right is the best rank-r approximation of A in the Frobenius and
 * spectral norms (Eckart-Young). The square roots balance the factors' scales.
 */
export function truncatedFactors(d: Svd, rank: number): { left: Float64Array; right: Float64Array } {
  if (!Number.isInteger(rank) || rank < 1 || rank > d.k)
    throw new RangeError(`rank must be an integer in [1, ${d.k}], got ${rank}`);
  const left = new Float64Array(d.m * rank);
  const right = new Float64Array(rank * d.n);
  for (let r = 0; r < rank; r++) {
    const root = Math.sqrt(d.s[r]!);
    for (let i = 0; i < d.m; i++) left[i * rank + r] = d.u[i * d.k + r]! * root;
    for (let j = 0; j < d.n; j++) right[r * d.n + j] = d.v[j * d.k + r]! * root;
  }
  return { left, right };
}

/**
 * ||A - A_r||_F / ||A||_F of the rank-r truncation, from the singular values alone (Eckart-Young:
 * the dropped ones' energy): sqrt(sum_{i >= r} s_i^2 / sum_i s_i^2). 0 for a zero matrix.
 */
export function truncationResidual(singularValues: ArrayLike<number>, rank: number): number {
  if (!Number.isInteger(rank) || rank < 0)
    throw new RangeError(`truncationResidual: rank must be a whole number, got ${rank}`);
  let dropped = 0;
  let total = 0;
  for (let i = 0; i < singularValues.length; i++) {
    const e = singularValues[i]! ** 2;
    total += e;
    if (i >= rank) dropped += e;
  }
  return total > 0 ? Math.sqrt(dropped / total) : 0;
}

/** The rank-r approximation U_r diag(s_r) V_r^T, row-major [m, n]. */
export function reconstruct(d: Svd, rank = d.k): Float64Array {
  const { left, right } = truncatedFactors(d, rank);
  return matMul64(left, right, d.m, rank, d.n);
}

/** C [m, n] = A [m, k] B [k, n] in float64. */
export function matMul64(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + aip * b[p * n + j]!;
    }
  return c;
}
