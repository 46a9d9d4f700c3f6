// Every number the divergence explorer shows, from @lab/divergences: each f-divergence D_f(P || Q),
// the exact 1-Wasserstein distance (earth mover's distance between the histograms) and the entropic
// one (Sinkhorn), with bins at positions 0, 1, ..., n-1 and cost |i - j|.
import { emd, fDivergenceDiscrete, sinkhorn } from '@lab/divergences';
import * as tf from '@tensorflow/tfjs-core';
import type { DivergenceEntry } from './divergence-table.js';

export interface DivergenceValues {
  fDivergences: { name: string; value: number; activation: string }[];
  wasserstein: number;
  sinkhorn: number;
  sinkhornEpsilon: number;
}

/** Cost |i - j| between bins i and j. */
export function binCost(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.abs(i - j)));
}

/** The entropic transport cost <P, C> for regularisation epsilon (in bin units). */
export function entropicWasserstein(p: ArrayLike<number>, q: ArrayLike<number>, epsilon: number): number {
  return tf.tidy(() => {
    const { cost } = sinkhorn(
      tf.tensor1d(Array.from(p)),
      tf.tensor1d(Array.from(q)),
      tf.tensor2d(binCost(p.length)),
      { epsilon, iterations: 300 },
    );
    return cost.dataSync()[0]!;
  });
}

export function divergenceValues(
  table: readonly DivergenceEntry[],
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  { epsilon = 0.5 }: { epsilon?: number } = {},
): DivergenceValues {
  return {
    fDivergences: table.map(({ div, activation }) => ({
      name: div.name,
      value: fDivergenceDiscrete(div, p, q),
      activation,
    })),
    wasserstein: emd(p, q, binCost(p.length)).cost,
    sinkhorn: entropicWasserstein(p, q, epsilon),
    sinkhornEpsilon: epsilon,
  };
}

/** The display precision the explorer and its browser test share. */
export const showValue = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));
