// The bookkeeping of structured training with beam search: where to update when the gold transition
// sequence and the beam disagree. Early update (Collins & Roark 2004) stops at the first step that
// drops the gold prefix from the beam; max-violation (Huang, Fayong & Guo 2012) takes the step where
// the best beam item outscores the gold prefix by most. Both compare prefixes of equal length, so a
// perceptron or CRF loss over them is well defined (Weiss et al. 2015; Andor et al. 2016).

/** What a beam search step left: the best item's score, the gold prefix's, and whether gold is in the beam. */
export interface BeamStep {
  bestScore: number;
  goldScore: number;
  goldInBeam: boolean;
  /** Whether the best item is the gold prefix itself. */
  bestIsGold: boolean;
}

export type UpdateKind = 'none' | 'early' | 'max-violation' | 'final';

/** The step (index into the steps) whose prefixes an update compares, and why; step -1: no update. */
export interface UpdatePoint {
  step: number;
  kind: UpdateKind;
}

/**
 * Early update: the first step where the gold prefix fell out of the beam; if it never did, the last
 * step when the best complete sequence is not gold ('final'), else none.
 */
export function earlyUpdate(steps: readonly BeamStep[]): UpdatePoint {
  const fell = steps.findIndex((s) => !s.goldInBeam);
  if (fell >= 0) return { step: fell, kind: 'early' };
  const last = steps.length - 1;
  if (last >= 0 && !steps[last]!.bestIsGold) return { step: last, kind: 'final' };
  return { step: -1, kind: 'none' };
}

/**
 * Max-violation: the step where the best item outscores the gold prefix by most (the earliest of
 * equal ones) over all steps, the gold prefix followed past the step it fell out of the beam (its
 * score there is what `goldScore` holds). No violation (gold best throughout): none.
 */
export function maxViolation(steps: readonly BeamStep[]): UpdatePoint {
  let step = -1;
  let most = 0;
  steps.forEach((s, t) => {
    if (s.bestIsGold) return;
    const v = s.bestScore - s.goldScore;
    if (v > most || (step < 0 && v >= 0)) {
      step = t;
      most = v;
    }
  });
  return step < 0 ? { step: -1, kind: 'none' } : { step, kind: 'max-violation' };
}

/** Records a beam search's steps for the update rules above (one per scored step of one sentence). */
export class ViolationLog {
  readonly steps: BeamStep[] = [];

  /** Adds a step: the beam's scores best first, the gold prefix's score and its place in the beam (-1: out). */
  record(beamScores: readonly number[], goldScore: number, goldRank: number): void {
    if (beamScores.length === 0) throw new RangeError('a beam step has at least one item');
    if (!(goldRank >= -1 && goldRank < beamScores.length && Number.isInteger(goldRank)))
      throw new RangeError(`gold rank ${goldRank} outside the beam of ${beamScores.length}`);
    this.steps.push({
      bestScore: beamScores[0]!,
      goldScore,
      goldInBeam: goldRank >= 0,
      bestIsGold: goldRank === 0,
    });
  }

  update(rule: 'early' | 'max-violation'): UpdatePoint {
    return rule === 'early' ? earlyUpdate(this.steps) : maxViolation(this.steps);
  }
}
