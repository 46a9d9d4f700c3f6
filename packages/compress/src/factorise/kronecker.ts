// Nearest Kronecker product (Van Loan & Pitsianis 1993): W [m1 m2, n1 n2] ~ sum_r A_r (x) B_r with
// A_r [m1, n1], B_r [m2, n2]. Rearranging W so that each block W[i1 m2 .. , j1 n2 ..] becomes one row
// turns A (x) B into the rank-1 matrix vec(A) vec(B)^T, so the best sum of R Kronecker terms in the
// Frobenius norm is the rank-R truncated SVD of the rearranged matrix.
import { type Svd, svd } from './svd.js';

export interface KroneckerShape {
  /** A is [m1, n1]. */
  m1: number;
  n1: number;
  /** B is [m2, n2]. */
  m2: number;
  n2: number;
}

export interface KroneckerFactors extends KroneckerShape {
  /** Terms: a[r] row-major [m1, n1], b[r] row-major [m2, n2]. */
  a: Float64Array[];
  b: Float64Array[];
  /** Singular values of the rearranged matrix (all of them, descending). */
  singularValues: Float64Array;
}

function checkShape(s: KroneckerShape): KroneckerShape {
  for (const [k, v] of Object.entries(s))
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`kronecker shape: ${k} must be a positive integer, got ${v}`);
  return { m1: s.m1, n1: s.n1, m2: s.m2, n2: s.n2 };
}

/** A (x) B, row-major [m1 m2, n1 n2]. */
export function kroneckerProduct(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  { m1, n1, m2, n2 }: KroneckerShape,
): Float64Array {
  checkShape({ m1, n1, m2, n2 });
  if (a.length !== m1 * n1 || b.length !== m2 * n2)
    throw new RangeError(
      `kroneckerProduct: A has ${a.length} entries for [${m1}, ${n1}], B ${b.length} for [${m2}, ${n2}]`,
    );
  const cols = n1 * n2;
  const w = new Float64Array(m1 * m2 * cols);
  for (let i1 = 0; i1 < m1; i1++)
    for (let j1 = 0; j1 < n1; j1++) {
      const aij = a[i1 * n1 + j1]!;
      for (let i2 = 0; i2 < m2; i2++)
        for (let j2 = 0; j2 < n2; j2++) w[(i1 * m2 + i2) * cols + j1 * n2 + j2] = aij * b[i2 * n2 + j2]!;
    }
  return w;
}

/** The Van Loan-Pitsianis rearrangement R(W) [m1 n1, m2 n2]: R[i1 n1 + j1, i2 n2 + j2] = W[i1 m2 + i2, j1 n2 + j2]. */
export function rearrange(w: ArrayLike<number>, { m1, n1, m2, n2 }: KroneckerShape): Float64Array {
  checkShape({ m1, n1, m2, n2 });
  if (w.length !== m1 * m2 * n1 * n2)
    throw new RangeError(`rearrange: ${w.length} entries for [${m1 * m2}, ${n1 * n2}]`);
  const cols = n1 * n2;
  const rCols = m2 * n2;
  const r = new Float64Array(m1 * n1 * rCols);
  for (let i1 = 0; i1 < m1; i1++)
    for (let j1 = 0; j1 < n1; j1++)
      for (let i2 = 0; i2 < m2; i2++)
        for (let j2 = 0; j2 < n2; j2++)
          r[(i1 * n1 + j1) * rCols + i2 * n2 + j2] = w[(i1 * m2 + i2) * cols + j1 * n2 + j2]!;
  return r;
}

/** The SVD of the rearrangement R(W), to truncate at several term counts without recomputing it. */
export function kroneckerDecomposition(w: ArrayLike<number>, shape: KroneckerShape): Svd {
  return svd(rearrange(w, shape), shape.m1 * shape.n1, shape.m2 * shape.n2);
}

/**
 * The best sum of `terms` Kronecker products approximating W [m1 m2, n1 n2] in the Frobenius norm.
 * Each term's scale is split evenly (sqrt of its singular value on each factor). Pass
 * `decomposition` (from kroneckerDecomposition of the same W and shape) to reuse one SVD.
 */
export function nearestKronecker(
  w: ArrayLike<number>,
  shape: KroneckerShape,
  terms = 1,
  decomposition?: Svd,
): KroneckerFactors {
  const d = decomposition ?? kroneckerDecomposition(w, shape);
  if (d.m !== shape.m1 * shape.n1 || d.n !== shape.m2 * shape.n2)
    throw new RangeError(
      `nearestKronecker: the decomposition is of [${d.m}, ${d.n}], the rearrangement [${shape.m1 * shape.n1}, ${shape.m2 * shape.n2}]`,
    );
  if (!Number.isInteger(terms) || terms < 1 || terms > d.k)
    throw new RangeError(`terms must be an integer in [1, ${d.k}], got ${terms}`);
  const a: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let t = 0; t < terms; t++) {
    const root = Math.sqrt(d.s[t]!);
    a.push(Float64Array.from({ length: d.m }, (_, i) => d.u[i * d.k + t]! * root));
    b.push(Float64Array.from({ length: d.n }, (_, j) => d.v[j * d.k + t]! * root));
  }
  return { ...checkShape(shape), a, b, singularValues: d.s };
}

/** sum_r A_r (x) B_r, row-major [m1 m2, n1 n2]. */
export function kroneckerSum(f: KroneckerFactors): Float64Array {
  const w = new Float64Array(f.m1 * f.m2 * f.n1 * f.n2);
  f.a.forEach((a, t) => {
    const term = kroneckerProduct(a, f.b[t]!, f);
    for (let i = 0; i < w.length; i++) w[i] = w[i]! + term[i]!;
  });
  return w;
}

/**
 * Factor pairs for a Kronecker layer of [inFeatures, outFeatures]: m1 m2 = in and n1 n2 = out with
 * each pair as close to square as divisors allow (28 x 28 for 784), which keeps the most
 * parameters per term for the least storage. Throws when a size is prime and > 3 (no useful split).
 */
export function kroneckerShapeFor(inFeatures: number, outFeatures: number): KroneckerShape {
  const split = (n: number, what: string): [number, number] => {
    for (let d = Math.floor(Math.sqrt(n)); d >= 2; d--) if (n % d === 0) return [d, n / d];
    throw new RangeError(`kroneckerShapeFor: ${what} ${n} has no factor pair (it is prime or < 4)`);
  };
  const [m1, m2] = split(inFeatures, 'inFeatures');
  const [n1, n2] = split(outFeatures, 'outFeatures');
  return { m1, n1, m2, n2 };
}
