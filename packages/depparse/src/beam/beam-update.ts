// Beam search against the gold sequence, for structured training: the beams and gold prefixes that an
// update compares, at the step early update (the first step the gold prefix falls off the beam;
// Collins & Roark 2004) or max-violation (Huang et al. 2012) chooses. Early update stops a sentence's
// search at that step; max-violation searches to the end and keeps every step's beam.
import type { FeatureBuffers, SentenceIds } from '../model/features.js';
import { featureBuffers } from '../model/features.js';
import type { Scorer } from '../model/parser.js';
import { type BeamItem, type BeamModel, beamSearch } from './beam-search.js';
import { isGoldPrefix, replayPath } from './gold-path.js';
import { ViolationLog } from './violations.js';

export type UpdateRule = 'early' | 'max-violation';

/** A beam item as an update reads it: its scored transitions and its score. */
export interface ScoredPath {
  path: number[];
  score: number;
}

/** What one sentence's update compares: the beam at the update step and the gold prefix of that length. */
export interface BeamUpdate {
  /** 'none': gold stayed best to the end (the beam is the final one); 'final': gold stayed in but lost. */
  kind: 'none' | 'early' | 'max-violation' | 'final';
  /** The update step (0-based, among the sentence's scored steps). */
  step: number;
  beam: ScoredPath[];
  /** The gold prefix as long as the beam's unfinished items. */
  gold: number[];
  /** Whether `gold` is one of `beam`'s items. */
  goldInBeam: boolean;
}

/**
 * The gold sequence's cumulative scores under `scorer` as beam search sums them (entry t: its first t
 * transitions): raw, or for 'residual' the logits' log-softmax over the legal transitions plus the
 * perceptron's raw score.
 */
function goldScores(
  model: BeamModel,
  batch: readonly SentenceIds[],
  golds: readonly (readonly number[])[],
  scorer: Scorer,
  scoring: 'global' | 'residual',
): Float64Array[] {
  const rows = golds.reduce((a, g) => a + g.length, 0);
  const buffers: FeatureBuffers = featureBuffers(Math.max(1, rows));
  const slots = new Int32Array(rows);
  const T = model.transitions.length;
  // per row, the legal transitions (residual only: the log-partition is over them)
  const legal: number[][] = [];
  let at = 0;
  golds.forEach((g, s) => {
    const from = at;
    replayPath(model, batch[s]!, g, buffers, at, (c, i) => {
      if (scoring === 'residual')
        legal[from + i] = model.transitions.flatMap((t, k) => (model.system.isLegal(c, t) ? [k] : []));
    });
    slots.fill(s, at, at + g.length);
    at += g.length;
  });
  const scores = rows ? scorer(buffers, rows, slots) : new Float32Array(0);
  const stride = scoring === 'residual' ? 2 * T : T;
  const score = (r: number, k: number): number => {
    if (scoring === 'global') return scores[r * stride + k]!;
    const ks = legal[r]!;
    const max = Math.max(...ks.map((j) => scores[r * stride + j]!));
    const logZ = max + Math.log(ks.reduce((a, j) => a + Math.exp(scores[r * stride + j]! - max), 0));
    return scores[r * stride + k]! - logZ + scores[r * stride + T + k]!;
  };
  at = 0;
  return golds.map((g) => {
    const sums = new Float64Array(g.length + 1);
    g.forEach((k, i) => {
      sums[i + 1] = sums[i]! + score(at + i, k);
    });
    at += g.length;
    return sums;
  });
}

/**
 * Beam search ('global' scores: sums of the scorer's raw scores; or 'residual', see BeamOptions) over a batch with each sentence's
 * gold sequence (goldPath), returning per sentence what its update compares under `rule`.
 */
export function beamUpdates(
  model: BeamModel,
  batch: readonly SentenceIds[],
  golds: readonly (readonly number[])[],
  scorer: Scorer,
  width: number,
  rule: UpdateRule = 'early',
  scoring: 'global' | 'residual' = 'global',
): BeamUpdate[] {
  const cumulative = goldScores(model, batch, golds, scorer, scoring);
  const logs = batch.map(() => new ViolationLog());
  const snapshots: { beam: ScoredPath[]; gold: number[]; goldInBeam: boolean }[][] = batch.map(() => []);
  const snapshot = (beam: readonly BeamItem[]): ScoredPath[] =>
    beam.map((b) => ({ path: b.path!.slice(), score: b.score }));
  const onStep = (s: number, beam: readonly BeamItem[]): boolean => {
    const gold = golds[s]!;
    const t = Math.min(snapshots[s]!.length + 1, gold.length);
    const prefix = gold.slice(0, t);
    const rank = beam.findIndex((b) => b.path!.length === t && isGoldPrefix(b.path!, gold));
    logs[s]!.record(
      beam.map((b) => b.score),
      cumulative[s]![t]!,
      rank,
    );
    // early update needs only the step the gold fell off (the last); max-violation every step
    snapshots[s]!.push({
      beam: rule === 'early' && rank >= 0 ? [] : snapshot(beam),
      gold: prefix,
      goldInBeam: rank >= 0,
    });
    return rule === 'max-violation' || rank >= 0;
  };
  const finals = beamSearch(model, batch, scorer, width, { scores: scoring, paths: true, onStep });
  return batch.map((_, s) => {
    const point = logs[s]!.update(rule);
    const steps = snapshots[s]!;
    if (point.step < 0 || steps.length === 0) {
      // no update: the final beam, with the whole gold sequence (the CRF loss still reads it)
      const beam = snapshot(finals[s]!);
      const gold = golds[s]!.slice();
      const goldInBeam = beam.some((b) => b.path.length === gold.length && isGoldPrefix(b.path, gold));
      return { kind: 'none', step: Math.max(0, steps.length - 1), beam, gold, goldInBeam };
    }
    const at = steps[point.step]!;
    // early update's last step and 'final' read the beam the search ended with
    const beam = at.beam.length ? at.beam : snapshot(finals[s]!);
    return {
      kind: point.kind as BeamUpdate['kind'],
      step: point.step,
      beam,
      gold: at.gold,
      goldInBeam: at.goldInBeam,
    };
  });
}
