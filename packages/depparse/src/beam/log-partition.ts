// The log-partition of a beam item's legal transitions, log sum_k exp(s_k), summed as max + log of
// sum_k exp(s_k - max) in the legal transitions' order, bitwise what the plain loop gives, but with
// the exponentials skipped that cannot change the running sum: once the sum is S, a term below
// S * 2^-54 is under half of S's last binary place and adding it leaves S as it is. The cube
// activation spreads a parser's logits widely (on EWT about 60% of them lie more than 38 below the
// row's maximum), so most of a row's 167 Math.exp calls, the beam's largest per-item cost, go.

/**
 * Terms exp(d) with d < log(L) - SKIP_BELOW, for any L at most the running sum, are below
 * L * e^-38 = L * 3.1e-17 < L * 2^-54 = L * 5.6e-17: half a unit in the last place of the sum or less.
 */
const SKIP_BELOW = 38;
/** The cut is recomputed (one Math.log) each time the sum has grown this many times over. */
const RECUT_GROWTH = 1e4;

/**
 * log sum over i < count of exp(scores[base + legal[i]]), where `max` is the largest of those scores;
 * the same double as `max + Math.log(sum)` with every term added in order.
 */
export function logPartition(
  scores: ArrayLike<number>,
  base: number,
  legal: ArrayLike<number>,
  count: number,
  max: number,
): number {
  let sum = 0;
  // skip terms with d below `cut`, computed from an earlier sum (the sum only grows); recut past `next`
  let cut = Number.NEGATIVE_INFINITY;
  let next = 0;
  for (let i = 0; i < count; i++) {
    const d = scores[base + legal[i]!]! - max;
    if (d < cut) continue;
    sum += Math.exp(d);
    if (sum > next) {
      cut = Math.log(sum) - SKIP_BELOW;
      next = sum * RECUT_GROWTH;
    }
  }
  return max + Math.log(sum);
}
