// Discrete distributions over equally spaced bins, from a family and its parameters or from bars a
// visitor drags. Every bin keeps a small floor of mass so that every f-divergence stays finite
// (D_f needs q > 0 wherever p > 0, and some divergences need the converse too).

export type Family =
  | { kind: 'gaussian'; mean: number; sd: number }
  | { kind: 'uniform'; lo: number; hi: number }
  | { kind: 'bimodal'; mean1: number; mean2: number; sd: number; weight: number };

export interface DistributionOptions {
  bins?: number;
  /** Mass every bin keeps at least, before normalising. Default 1e-3. */
  floor?: number;
}

/** Normalises non-negative weights to a probability vector, each bin at least `floor` before normalising. */
export function normalise(weights: ArrayLike<number>, floor = 1e-3): Float64Array {
  const w = Float64Array.from(weights, (v) => (Number.isFinite(v) && v > floor ? v : floor));
  const total = w.reduce((s, v) => s + v, 0);
  return w.map((v) => v / total);
}

const bump = (x: number, mean: number, sd: number) => Math.exp(-0.5 * ((x - mean) / sd) ** 2);

/** The family's mass at bins 0 .. bins-1 (positions are bin indices), floored and normalised. */
export function fromFamily(
  family: Family,
  { bins = 16, floor = 1e-3 }: DistributionOptions = {},
): Float64Array {
  const w = new Float64Array(bins);
  for (let i = 0; i < bins; i++) {
    switch (family.kind) {
      case 'gaussian':
        w[i] = bump(i, family.mean, Math.max(family.sd, 0.05));
        break;
      case 'uniform':
        w[i] = i >= Math.min(family.lo, family.hi) && i <= Math.max(family.lo, family.hi) ? 1 : 0;
        break;
      case 'bimodal': {
        const sd = Math.max(family.sd, 0.05);
        const a = Math.min(Math.max(family.weight, 0), 1);
        w[i] = a * bump(i, family.mean1, sd) + (1 - a) * bump(i, family.mean2, sd);
        break;
      }
    }
  }
  // scale to peak 1 so that the floor means the same for every family
  const peak = Math.max(...w);
  return normalise(peak > 0 ? w.map((v) => v / peak) : w, floor);
}

/** Sets bin `i` to mass `value` (0..1 of the plot's height) and renormalises the rest around it. */
export function setBin(p: ArrayLike<number>, i: number, value: number, floor = 1e-3): Float64Array {
  const w = Float64Array.from(p);
  if (i < 0 || i >= w.length) return w;
  w[i] = Math.min(Math.max(value, 0), 1);
  return normalise(w, floor);
}
