// When a score is better than the best so far: the one rule shared by the best-weights keeper and
// early stopping, so that both agree on which epoch was best.

export interface ImprovementOptions {
  /** 'max' for accuracies and LAS, 'min' for losses. Default 'max'. */
  mode?: 'max' | 'min';
  /** A score must beat the best by more than this to count. Default 0. */
  minDelta?: number;
}

/** True when `score` beats `best` (always, when there is no best yet); NaN never improves. */
export function improves(
  score: number,
  best: number | undefined,
  { mode = 'max', minDelta = 0 }: ImprovementOptions = {},
): boolean {
  if (Number.isNaN(score)) return false;
  if (best === undefined) return true;
  return mode === 'max' ? score > best + minDelta : score < best - minDelta;
}

/** The metric of an epoch's validation (or, without one, of its training means); throws when it is missing. */
export function epochMetric(
  e: {
    epoch: number;
    validation?: Readonly<Record<string, number>>;
    means: Readonly<Record<string, number>>;
  },
  metric: string,
  who: string,
): number {
  const value = e.validation?.[metric] ?? e.means[metric];
  if (value === undefined)
    throw new Error(`${who}: epoch ${e.epoch} reported no metric '${metric}' (validation or training)`);
  return value;
}
