// The f-divergences the explorer shows, with the f-GAN output activation g_f of each written out
// (Nowozin et al. 2016, table 2); divergence-table.test.ts checks every formula against the package's
// activation, so a label cannot drift from what @lab/divergences computes.
import {
  alphaDivergence,
  arithmeticGeometric,
  dual,
  type FDivergence,
  gan,
  type Interval,
  jeffrey,
  jensenShannon,
  kl,
  log1pAbs,
  modifiedGan,
  neyman,
  pearson,
  reverseKl,
  squaredHellinger,
  symmetrized,
  totalVariation,
  triangular,
} from '@lab/divergences';

export interface DivergenceEntry {
  div: FDivergence;
  /** g_f(v) written out. */
  activation: string;
}

// ends within 1e-9 of 0 print as 0 (dual KL's upper end is estimated numerically)
const fmt = (x: number) => (Math.abs(x) < 1e-9 ? '0' : String(Number(x.toPrecision(4))));

/** How @lab/divergences maps R onto an interval for derived divergences (dual, symmetrised). */
export function activationLabel({ lo, hi }: Interval): string {
  if (Number.isFinite(lo) && Number.isFinite(hi)) return `${fmt(lo)} + ${fmt(hi - lo)} · sigmoid(v)`;
  if (Number.isFinite(hi)) return `${fmt(hi)} − softplus(−v)`;
  if (Number.isFinite(lo)) return `${fmt(lo)} + softplus(v)`;
  return 'v';
}

export function divergenceTable(): DivergenceEntry[] {
  const derived = (div: FDivergence) => ({ div, activation: activationLabel(div.domain) });
  return [
    { div: kl(), activation: 'v' },
    { div: reverseKl(), activation: '−exp(−v)' },
    { div: pearson(), activation: 'v' },
    { div: neyman(), activation: '1 − exp(−v)' },
    { div: squaredHellinger(), activation: '1 − exp(−v)' },
    { div: jeffrey(), activation: 'v' },
    { div: jensenShannon(), activation: '½ log 2 − ½ softplus(−v)' },
    { div: gan(), activation: '−softplus(−v)' },
    { div: totalVariation(), activation: '½ tanh(v)' },
    { div: alphaDivergence(0.5), activation: '2 (1 − exp(−v/2))' },
    { div: alphaDivergence(2), activation: 'exp(v) − 1' },
    { div: triangular(), activation: '1 − softplus(−v)' },
    { div: log1pAbs(), activation: '1 − softplus(−v)' },
    { div: modifiedGan(), activation: '−exp(−v)' },
    { div: arithmeticGeometric(), activation: 'v' },
    derived(dual(kl())),
    derived(symmetrized(kl())),
  ];
}
