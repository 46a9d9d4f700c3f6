// Figures over several seeds: a quality benchmark reports each side's mean and spread, since one seed
// decides nothing (runs of one setting differ by more than the sides do).

export interface Spread {
  mean: number;
  /** Sample standard deviation (n - 1); null for a single value. */
  std: number | null;
  min: number;
  max: number;
  /** Values it summarises (runs where the figure is missing, e.g. without the peer, are left out). */
  n: number;
}

/** Mean, sample standard deviation, min and max of the finite values; null when there is none. */
export function spreadOf(values: readonly (number | null | undefined)[]): Spread | null {
  const xs = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (xs.length === 0) return null;
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, std, min: Math.min(...xs), max: Math.max(...xs), n };
}

/** The seeds of a run of `count` seeds starting at `first`. */
export function seedList(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

const round = (x: number | null, digits: number) => (x === null ? null : Number(x.toFixed(digits)));

/**
 * For each metric (name -> decimals): its mean over the runs (the field a one-seed run reports) and its
 * spread, rounded to the metric's decimals.
 */
export function summarize(
  runs: readonly Record<string, unknown>[],
  metrics: Readonly<Record<string, number>>,
): { means: Record<string, number | null>; spread: Record<string, Spread | null> } {
  const means: Record<string, number | null> = {};
  const spread: Record<string, Spread | null> = {};
  for (const [name, digits] of Object.entries(metrics)) {
    const s = spreadOf(runs.map((r) => (Object.hasOwn(r, name) ? (r[name] as number | null) : null)));
    means[name] = s ? round(s.mean, digits) : null;
    spread[name] = s
      ? {
          mean: round(s.mean, digits)!,
          std: round(s.std, digits),
          min: round(s.min, digits)!,
          max: round(s.max, digits)!,
          n: s.n,
        }
      : null;
  }
  return { means, spread };
}

export interface CurvePoint {
  step: number;
  w: number | null;
  fd: number | null;
}

/** The mean curve of several runs' checkpoint curves, step by step (steps missing from a run are averaged over the others). */
export function meanCurve(
  curves: readonly (readonly CurvePoint[])[],
  digits = { w: 4, fd: 3 },
): CurvePoint[] {
  const steps = [...new Set(curves.flatMap((c) => c.map((p) => p.step)))].sort((a, b) => a - b);
  return steps.map((step) => {
    const at = curves.flatMap((c) => c.filter((p) => p.step === step));
    return {
      step,
      w: round(spreadOf(at.map((p) => p.w))?.mean ?? null, digits.w),
      fd: round(spreadOf(at.map((p) => p.fd))?.mean ?? null, digits.fd),
    };
  });
}

/** A run's FD curve as [step, fd] pairs, in step order (what the JSON line lists per seed and side). */
export function fdPairs(curve: readonly { step: number; fd: number | null }[]): [number, number | null][] {
  return [...curve].sort((a, b) => a.step - b.step).map((p) => [p.step, p.fd]);
}

export interface StepSpread extends Spread {
  step: number;
}

/** The FD's mean and spread over the seeds at each checkpoint step (steps where no seed has an FD are left out). */
export function spreadByStep(
  curves: readonly (readonly { step: number; fd: number | null }[])[],
  digits = 3,
): StepSpread[] {
  const steps = [...new Set(curves.flatMap((c) => c.map((p) => p.step)))].sort((a, b) => a - b);
  return steps.flatMap((step) => {
    const s = spreadOf(curves.flatMap((c) => c.filter((p) => p.step === step).map((p) => p.fd)));
    return s
      ? [
          {
            step,
            mean: round(s.mean, digits)!,
            std: round(s.std, digits),
            min: round(s.min, digits)!,
            max: round(s.max, digits)!,
            n: s.n,
          },
        ]
      : [];
  });
}
