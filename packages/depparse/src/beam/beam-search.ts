// Beam search over a transition system (Weiss et al. 2015; Zhang & Clark 2008): each sentence keeps
// the `width` best transition sequences so far, scored by the sum of their transitions' log-softmax
// over the legal transitions. Every step scores the active items of all sentences in one scorer call
// (the kernel path batches them like greedy parsing does). A transition forced by the system (the
// only legal move, unlabelled) has log-probability 0 and is applied unscored, as greedy parsing does;
// at width 1 the search picks greedy's transitions, tie for tie.
import { extractFeatures, featureBuffers, type SentenceIds } from '../model/features.js';
import type { Scorer } from '../model/parser.js';
import { dependentOf } from '../transitions/transition-set.js';
import { Configuration, type Transition, type TransitionSystem } from '../transitions/transitions.js';
import { copyConfiguration } from './configuration-copy.js';

/** Beam widths that `lab parse --beam` and `ParseOptions.beam` accept (beamSearch itself takes any). */
export const MAX_BEAM_WIDTH = 64;
/** Feature rows per scoring call at most: parseTrees narrows its batches of sentences to keep to it. */
export const MAX_BEAM_ROWS = 32_768;

export interface BeamModel {
  system: TransitionSystem;
  /** The scorer's output classes, in order. */
  transitions: readonly Transition[];
  /** The label vocabulary id written for a dependent that transition k attaches (-1: k attaches none). */
  labelIds: Int32Array;
}

/** One hypothesis: a configuration, the label ids its arcs wrote (label features) and its score. */
export interface BeamItem {
  config: Configuration;
  labelIds: Int32Array;
  /** Sum of its transitions' scores: log-softmax over the legal transitions, or raw ('global'). */
  score: number;
  /** The scored transitions (output classes) that led here, forced ones left out (`paths: true`). */
  path?: number[];
}

export type BeamScoring = 'local' | 'global' | 'residual';

/**
 * How beam search scores and what it reports. 'local' (default) sums each transition's log-softmax
 * over the legal transitions (a greedily trained net's probabilities); 'global' sums the scorer's raw
 * scores, as a structured perceptron (Weiss et al. 2015) or a globally normalised net (Andor et al.
 * 2016) ranks sequences.
 */
export interface BeamOptions {
  /**
   * 'residual': the scorer's rows are 2 x transitions wide, the net's logits then a perceptron's raw
   * scores, and a transition scores its log-softmax (first half) plus its raw score (second half).
   */
  scores?: BeamScoring;
  /** Keep each item's scored transitions in `path` (training replays them). */
  paths?: boolean;
  /**
   * After each scored step, per sentence that took it, with its new beam (best first): false stops
   * that sentence there (early update), its beam kept as it is.
   */
  onStep?: (sentence: number, beam: readonly BeamItem[]) => boolean;
}

/** A successor in the making: item `from` extended by transition k (-1: a finished item kept). */
interface Candidate {
  from: BeamItem;
  k: number;
  score: number;
  /** The transition's raw score (ties in `score` among one item's successors go to the higher). */
  raw: number;
  /** Rank of `from` in its beam (ties between items go to the earlier). */
  rank: number;
}

export function checkBeamWidth(width: number): void {
  if (!(Number.isInteger(width) && width >= 1 && width <= MAX_BEAM_WIDTH))
    throw new RangeError(`beam width must be an integer in [1, ${MAX_BEAM_WIDTH}]; got ${width}`);
}

/** The transition the system forces in `c` (the only legal move, unlabelled), or null. */
export function forcedTransition(
  system: TransitionSystem,
  moves: readonly Transition[],
  c: Configuration,
): Transition | null {
  let only: Transition | null = null;
  for (const t of moves) {
    if (!system.isLegal(c, t)) continue;
    if (only) return null;
    only = t;
  }
  return only && only.label === undefined ? only : null;
}

/** One transition of each move (the forced-move check needs no more). */
export function distinctMoves(transitions: readonly Transition[]): Transition[] {
  return [...new Map(transitions.map((t) => [t.move, t])).values()];
}

/** Whether candidate a ranks before b. */
function before(a: Candidate, b: Candidate): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (a.raw !== b.raw) return a.raw > b.raw;
  return a.k < b.k;
}

/**
 * Inserts a candidate into `top` (sorted, best first) if it ranks among the first `width`; most are
 * turned away by their score before a candidate object is made.
 */
function offer(
  top: Candidate[],
  width: number,
  from: BeamItem,
  k: number,
  score: number,
  raw: number,
  rank: number,
): void {
  if (top.length === width && score < top[width - 1]!.score) return;
  const c: Candidate = { from, k, score, raw, rank };
  if (top.length === width && !before(c, top[width - 1]!)) return;
  let i = top.length === width ? width - 1 : top.length;
  if (top.length < width) top.push(c);
  while (i > 0 && before(c, top[i - 1]!)) {
    top[i] = top[i - 1]!;
    i--;
  }
  top[i] = c;
}

/**
 * The best complete transition sequence per sentence within a beam of `width` (its final beam, best
 * first). `scorer` scores feature rows of the batch's sentences (`slots[r]`: row r's sentence).
 */
export function beamSearch(
  model: BeamModel,
  batch: readonly SentenceIds[],
  scorer: Scorer,
  width: number,
  { scores: scoring = 'local', paths = false, onStep }: BeamOptions = {},
): BeamItem[][] {
  if (!(Number.isInteger(width) && width >= 1))
    throw new RangeError(`beam width must be a positive integer; got ${width}`);
  const local = scoring === 'local';
  const normalised = scoring !== 'global';
  const { system, transitions } = model;
  const T = transitions.length;
  // the residual scorer's rows: T logits then T raw scores
  const stride = scoring === 'residual' ? 2 * T : T;
  const moves = distinctMoves(transitions);
  // legality depends on the move alone (not the label): checked once per move; the legal
  // transitions' indices, in increasing order within each move
  const byMove = moves.map((m) => transitions.flatMap((t, k) => (t.move === m.move ? [k] : [])));
  let beams: BeamItem[][] = batch.map((ids) => [
    {
      config: new Configuration(ids.words.length - 1),
      labelIds: new Int32Array(ids.words.length),
      score: 0,
      ...(paths ? { path: [] } : {}),
    },
  ]);
  /** Sentences that onStep stopped (their beams stay as they are). */
  const stopped = new Uint8Array(batch.length);
  const buffers = featureBuffers(batch.length * width);
  const slots = new Int32Array(batch.length * width);
  const rowOf = new Map<BeamItem, number>();
  const legal = new Int32Array(T);
  /** Whether sentence s has an unfinished item this step. */
  const active = new Uint8Array(batch.length);
  for (;;) {
    // forced transitions first; then one row per unfinished item, all sentences in one call
    rowOf.clear();
    let rows = 0;
    active.fill(0);
    beams.forEach((beam, s) => {
      if (stopped[s] === 1) return;
      for (const item of beam) {
        const c = item.config;
        for (let t = forcedTransition(system, moves, c); t; t = forcedTransition(system, moves, c)) {
          if (system.isTerminal(c)) break;
          system.apply(c, t);
        }
        if (system.isTerminal(c)) continue;
        extractFeatures(c, batch[s]!, item.labelIds, buffers, rows);
        slots[rows] = s;
        active[s] = 1;
        rowOf.set(item, rows++);
      }
    });
    if (rows === 0) break;
    const scores = scorer(buffers, rows, slots);
    beams = beams.map((beam, s) => {
      // a finished sentence's beam (every item complete, best first) stays as it is
      if (active[s] === 0) return beam;
      const top: Candidate[] = [];
      beam.forEach((item, rank) => {
        // a successor scores at most its item (log-probabilities are <= 0): skip items below the top
        if (local && top.length === width && item.score < top[width - 1]!.score) return;
        const row = rowOf.get(item);
        if (row === undefined) {
          offer(top, width, item, -1, item.score, 0, rank);
          return;
        }
        const base = row * stride;
        let max = Number.NEGATIVE_INFINITY;
        let legalCount = 0;
        moves.forEach((m, i) => {
          if (!system.isLegal(item.config, m)) return;
          for (const k of byMove[i]!) {
            legal[legalCount++] = k;
            if (scores[base + k]! > max) max = scores[base + k]!;
          }
        });
        if (legalCount === 0)
          throw new Error(`${system.name}: no legal transition (parser state is inconsistent)`);
        let logZ = 0;
        if (normalised) {
          let sum = 0;
          for (let i = 0; i < legalCount; i++) sum += Math.exp(scores[base + legal[i]!]! - max);
          logZ = max + Math.log(sum);
        }
        for (let i = 0; i < legalCount; i++) {
          const k = legal[i]!;
          // residual: the logit plus the perceptron's score, the log-partition of the logits alone
          const raw = stride === T ? scores[base + k]! : scores[base + k]! + scores[base + T + k]!;
          const score = item.score + (raw - logZ);
          if (top.length < width || score >= top[width - 1]!.score)
            offer(top, width, item, k, score, raw, rank);
        }
      });
      const next = successors(model, top);
      if (onStep && !onStep(s, next)) stopped[s] = 1;
      return next;
    });
  }
  return beams;
}

/** The kept candidates as items: an item's last successor takes it over, the others copy it. */
function successors(model: BeamModel, top: readonly Candidate[]): BeamItem[] {
  const { system, transitions, labelIds } = model;
  const uses = new Map<BeamItem, number>();
  for (const c of top) uses.set(c.from, (uses.get(c.from) ?? 0) + 1);
  return top.map((cand) => {
    if (cand.k < 0) return cand.from;
    const left = uses.get(cand.from)! - 1;
    uses.set(cand.from, left);
    const item =
      left === 0
        ? cand.from
        : {
            config: copyConfiguration(cand.from.config),
            labelIds: cand.from.labelIds.slice(),
            score: 0,
            ...(cand.from.path ? { path: cand.from.path.slice() } : {}),
          };
    const t = transitions[cand.k]!;
    item.path?.push(cand.k);
    const d = dependentOf(system, item.config, t);
    system.apply(item.config, t);
    if (d > 0) item.labelIds[d] = labelIds[cand.k]!;
    item.score = cand.score;
    return item;
  });
}
