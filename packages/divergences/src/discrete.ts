// Exact divergences between discrete distributions given as probability vectors.
export interface DiscreteOptions {
  /** Allowed |sum - 1| before the input is rejected. Default 1e-6. */
  tolerance?: number;
  /** What to do where the divergence is infinite (q = 0 where p > 0): return Infinity (default) or throw. */
  onInfinite?: 'infinity' | 'throw';
}

/** Checks that `p` is a probability vector; the error names the argument. */
export function assertDistribution(p: ArrayLike<number>, name: string, tolerance = 1e-6): void {
  if (p.length === 0) throw new RangeError(`${name} is empty`);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (Number.isNaN(v)) throw new RangeError(`${name}[${i}] is NaN`);
    if (v < 0) throw new RangeError(`${name}[${i}] = ${v} is negative mass`);
    if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}] is not finite`);
    sum += v;
  }
  if (Math.abs(sum - 1) > tolerance) {
    throw new RangeError(`${name} sums to ${sum}, not 1 (tolerance ${tolerance})`);
  }
}

function checkPair(p: ArrayLike<number>, q: ArrayLike<number>, tolerance: number): void {
  assertDistribution(p, 'p', tolerance);
  assertDistribution(q, 'q', tolerance);
  if (p.length !== q.length) throw new RangeError(`p has ${p.length} entries but q has ${q.length}`);
}

/** KL(p || q) = sum p log(p / q) in nats; terms with p = 0 contribute 0. */
export function klDivergence(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  options: DiscreteOptions = {},
): number {
  const { tolerance = 1e-6, onInfinite = 'infinity' } = options;
  checkPair(p, q, tolerance);
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    if (pi === 0) continue;
    const qi = q[i]!;
    if (qi === 0) {
      if (onInfinite === 'throw')
        throw new RangeError(`KL(p || q) is infinite: q[${i}] = 0 where p[${i}] = ${pi}`);
      return Number.POSITIVE_INFINITY;
    }
    total += pi * Math.log(pi / qi);
  }
  return Math.max(0, total);
}

/** Jensen-Shannon divergence through the mixture m = (p + q) / 2, in nats; always finite, at most log 2. */
export function jsDivergence(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  options: DiscreteOptions = {},
): number {
  const { tolerance = 1e-6 } = options;
  checkPair(p, q, tolerance);
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    const qi = q[i]!;
    const mi = 0.5 * (pi + qi);
    if (pi > 0) total += 0.5 * pi * Math.log(pi / mi);
    if (qi > 0) total += 0.5 * qi * Math.log(qi / mi);
  }
  return Math.min(Math.LN2, Math.max(0, total));
}
