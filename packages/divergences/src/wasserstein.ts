// Wasserstein distances: exact in 1-D from samples, exact discrete optimal transport (EMD) by
// successive shortest paths, entropic OT by log-domain Sinkhorn on tensors, and sliced Wasserstein.
import * as tf from '@tensorflow/tfjs-core';

function checkSamples(x: ArrayLike<number>, name: string) {
  if (x.length === 0) throw new RangeError(`${name} is empty`);
  for (let i = 0; i < x.length; i++)
    if (!Number.isFinite(x[i]!)) throw new RangeError(`${name}[${i}] is not finite`);
}

/**
 * Exact p-Wasserstein distance between the empirical distributions of two 1-D samples (any sizes):
 * (integral over t in (0, 1) of |F^-1(t) - G^-1(t)|^p)^(1/p), merging the quantile breakpoints.
 */
export function wasserstein1d(x: ArrayLike<number>, y: ArrayLike<number>, p = 1): number {
  checkSamples(x, 'x');
  checkSamples(y, 'y');
  if (!(p >= 1)) throw new RangeError(`p must be >= 1, got ${p}`);
  const a = Float64Array.from(x).sort();
  const b = Float64Array.from(y).sort();
  let i = 0;
  let j = 0;
  let t = 0;
  let total = 0;
  while (i < a.length && j < b.length) {
    const nextA = (i + 1) / a.length;
    const nextB = (j + 1) / b.length;
    const next = Math.min(nextA, nextB);
    total += (next - t) * Math.abs(a[i]! - b[j]!) ** p;
    t = next;
    if (nextA <= next + 1e-15) i++;
    if (nextB <= next + 1e-15) j++;
  }
  return total ** (1 / p);
}

export interface TransportResult {
  /** Total cost sum_ij P_ij C_ij. */
  cost: number;
  /** The optimal plan, row-major [n][m]. */
  plan: number[][];
}

/**
 * Exact optimal transport (earth mover's distance) between histograms a (n) and b (m) with cost
 * matrix C (n x m), by successive shortest augmenting paths with potentials. Each augmentation
 * exhausts a supply or a demand, so there are at most n + m - 1 of them; O((n + m)^3) overall.
 */
export function emd(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  C: ReadonlyArray<ArrayLike<number>>,
  tolerance = 1e-9,
): TransportResult {
  const n = a.length;
  const m = b.length;
  const check = (h: ArrayLike<number>, name: string) => {
    let s = 0;
    for (let i = 0; i < h.length; i++) {
      const v = h[i]!;
      if (!(v >= 0) || !Number.isFinite(v))
        throw new RangeError(`${name}[${i}] = ${v}: masses must be finite and non-negative`);
      s += v;
    }
    return s;
  };
  const sa = check(a, 'a');
  const sb = check(b, 'b');
  if (n === 0 || m === 0) throw new RangeError('a and b must be non-empty');
  if (Math.abs(sa - sb) > tolerance * Math.max(1, sa))
    throw new RangeError(`a sums to ${sa} but b sums to ${sb}`);
  if (C.length !== n || C.some((row) => row.length !== m)) throw new RangeError(`C must be ${n} x ${m}`);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++)
      if (!Number.isFinite(C[i]![j]!)) throw new RangeError(`C[${i}][${j}] is not finite`);

  const supply = Float64Array.from(a);
  const demand = Float64Array.from(b);
  const flow: number[][] = Array.from({ length: n }, () => new Array(m).fill(0));
  // Nodes: sources 0..n-1, sinks n..n+m-1, super source S, super sink T. Potentials are shortest
  // distances from S, which keep every residual reduced cost non-negative for Dijkstra.
  const S = n + m;
  const T = n + m + 1;
  const N = n + m + 2;
  const pot = new Float64Array(N);
  for (let j = 0; j < m; j++) {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) best = Math.min(best, C[i]![j]!);
    pot[n + j] = best;
  }
  pot[T] = Math.min(...Array.from(pot.subarray(n, n + m)));
  const eps = tolerance * Math.max(sa, 1e-300);
  const edgesOf = (u: number, visit: (v: number, cost: number) => void) => {
    if (u === S) {
      for (let i = 0; i < n; i++) if (supply[i]! > eps) visit(i, 0);
    } else if (u < n) {
      for (let j = 0; j < m; j++) visit(n + j, C[u]![j]!);
    } else if (u < n + m) {
      const j = u - n;
      if (demand[j]! > eps) visit(T, 0);
      for (let i = 0; i < n; i++) if (flow[i]![j]! > eps) visit(i, -C[i]![j]!);
    }
  };
  for (let iter = 0; iter < 4 * (n + m) + 10; iter++) {
    let remaining = 0;
    for (let i = 0; i < n; i++) remaining += supply[i]!;
    if (remaining <= eps) break;
    const dist = new Float64Array(N).fill(Number.POSITIVE_INFINITY);
    const prev = new Int32Array(N).fill(-1);
    const done = new Uint8Array(N);
    dist[S] = 0;
    for (;;) {
      let u = -1;
      let best = Number.POSITIVE_INFINITY;
      for (let k = 0; k < N; k++) if (!done[k] && dist[k]! < best) [u, best] = [k, dist[k]!];
      if (u < 0) break;
      done[u] = 1;
      edgesOf(u, (v, cost) => {
        const d = best + Math.max(0, cost + pot[u]! - pot[v]!);
        if (d < dist[v]!) [dist[v], prev[v]] = [d, u];
      });
    }
    if (!Number.isFinite(dist[T]!)) throw new Error('emd: no augmenting path (inconsistent masses)');
    let far = 0;
    for (let k = 0; k < N; k++) if (Number.isFinite(dist[k]!)) far = Math.max(far, dist[k]!);
    for (let k = 0; k < N; k++) pot[k]! += Number.isFinite(dist[k]!) ? dist[k]! : far;
    // bottleneck along S -> source -> ... -> sink -> T
    const sink = prev[T]!;
    let amount = demand[sink - n]!;
    let v = sink;
    let source = -1;
    while (v !== S) {
      const u = prev[v]!;
      if (u === S) source = v;
      else if (u >= n) amount = Math.min(amount, flow[v]![u - n]!); // backward edge: sink u -> source v
      v = u;
    }
    amount = Math.min(amount, supply[source]!);
    demand[sink - n]! -= amount;
    supply[source]! -= amount;
    v = sink;
    while (prev[v]! !== S) {
      const u = prev[v]!;
      if (u < n) flow[u]![v - n]! += amount;
      else flow[v]![u - n]! -= amount;
      v = u;
    }
  }
  let cost = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) cost += flow[i]![j]! * C[i]![j]!;
  return { cost, plan: flow };
}

export interface SinkhornOptions {
  /** Entropic regularisation (in cost units). Default 0.05. */
  epsilon?: number;
  iterations?: number;
}

/**
 * Entropic optimal transport by Sinkhorn iterations in the log domain (stable for small epsilon),
 * on tensors and differentiable (unrolled). a: [n], b: [m] probability vectors, C: [n, m].
 * Returns the transport cost <P, C> and the plan P.
 */
export function sinkhorn(
  a: tf.Tensor1D,
  b: tf.Tensor1D,
  C: tf.Tensor2D,
  { epsilon = 0.05, iterations = 200 }: SinkhornOptions = {},
): { cost: tf.Scalar; plan: tf.Tensor2D } {
  if (!(epsilon > 0)) throw new RangeError(`epsilon must be positive, got ${epsilon}`);
  const [n, m] = C.shape;
  if (a.shape[0] !== n || b.shape[0] !== m)
    throw new RangeError(`C is [${C.shape}] but a is [${a.shape}] and b is [${b.shape}]`);
  return tf.tidy(() => {
    const logA = tf.log(a);
    const logB = tf.log(b);
    const K = tf.div(tf.neg(C), epsilon); // log kernel
    let f = tf.zerosLike(a) as tf.Tensor;
    let g = tf.zerosLike(b) as tf.Tensor;
    for (let it = 0; it < iterations; it++) {
      // f_i = eps (log a_i - logsumexp_j (K_ij + g_j / eps)), then g likewise
      f = tf.mul(epsilon, tf.sub(logA, tf.logSumExp(tf.add(K, tf.div(tf.reshape(g, [1, m]), epsilon)), 1)));
      g = tf.mul(epsilon, tf.sub(logB, tf.logSumExp(tf.add(K, tf.div(tf.reshape(f, [n, 1]), epsilon)), 0)));
    }
    const logP = tf.add(
      tf.add(K, tf.div(tf.reshape(f, [n, 1]), epsilon)),
      tf.div(tf.reshape(g, [1, m]), epsilon),
    );
    const plan = tf.exp(logP) as tf.Tensor2D;
    return { cost: tf.sum(tf.mul(plan, C)) as tf.Scalar, plan };
  });
}

/**
 * Sliced p-Wasserstein distance between point clouds X [n, d] and Y [n, d] (equal sizes): the mean over
 * random unit directions of the 1-D distance between the projections, to the power 1/p.
 * Differentiable in X and Y (sorting is done by index, the values are gathered on the tape).
 */
export function slicedWasserstein(
  X: tf.Tensor2D,
  Y: tf.Tensor2D,
  { projections = 64, p = 2, seed }: { projections?: number; p?: number; seed?: number } = {},
): tf.Scalar {
  if (X.shape[1] !== Y.shape[1])
    throw new RangeError(`X has dimension ${X.shape[1]} but Y has ${Y.shape[1]}`);
  if (X.shape[0] !== Y.shape[0])
    throw new RangeError(`sliced Wasserstein needs equal sample sizes, got ${X.shape[0]} and ${Y.shape[0]}`);
  return tf.tidy(() => {
    const d = X.shape[1];
    const dirs = tf.randomNormal([d, projections], 0, 1, 'float32', seed);
    const unit = tf.div(dirs, tf.norm(dirs, 'euclidean', 0, true));
    const px = tf.matMul(X, unit); // [n, L]
    const py = tf.matMul(Y, unit);
    const order = (t: tf.Tensor2D) => {
      const data = t.arraySync() as number[][];
      const n = data.length;
      const idx = new Int32Array(n * projections);
      for (let l = 0; l < projections; l++) {
        const col = Array.from({ length: n }, (_, i) => i).sort((i, j) => data[i]![l]! - data[j]![l]!);
        col.forEach((row, r) => {
          idx[r * projections + l] = row * projections + l;
        });
      }
      return tf.reshape(tf.gather(tf.reshape(t, [-1]), tf.tensor1d(idx, 'int32')), t.shape);
    };
    const diff = tf.abs(tf.sub(order(px as tf.Tensor2D), order(py as tf.Tensor2D)));
    return tf.pow(tf.mean(tf.pow(diff, p)), 1 / p) as tf.Scalar;
  });
}
