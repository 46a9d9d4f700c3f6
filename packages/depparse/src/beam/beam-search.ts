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
import { logPartition } from './log-partition.js';

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

/**
 * The `width` best successors of one sentence's step so far, best first, in arrays reused step
 * after step: item `from[i]` extended by transition k[i] (-1: a finished item kept), its sequence's
 * score, the transition's raw score (ties in score among one item's successors go to the higher) and
 * the rank of `from[i]` in its beam (ties between items go to the earlier).
 */
class Candidates {
  size = 0;
  readonly from: BeamItem[];
  readonly k: Int32Array;
  readonly score: Float64Array;
  readonly raw: Float64Array;
  readonly rank: Int32Array;

  constructor(readonly width: number) {
    this.from = new Array<BeamItem>(width);
    this.k = new Int32Array(width);
    this.score = new Float64Array(width);
    this.raw = new Float64Array(width);
    this.rank = new Int32Array(width);
  }

  /** Whether a successor that scores `score` could be kept (the beam is not full, or it ties the last). */
  admits(score: number): boolean {
    return this.size < this.width || score >= this.score[this.width - 1]!;
  }

  /** Inserts a successor if it ranks among the first `width`. */
  offer(from: BeamItem, k: number, score: number, raw: number, rank: number): void {
    const w = this.width;
    let i: number;
    if (this.size === w) {
      if (score < this.score[w - 1]! || !this.before(w - 1, score, rank, raw, k)) return;
      i = w - 1;
    } else i = this.size++;
    for (; i > 0 && this.before(i - 1, score, rank, raw, k); i--) {
      this.from[i] = this.from[i - 1]!;
      this.k[i] = this.k[i - 1]!;
      this.score[i] = this.score[i - 1]!;
      this.raw[i] = this.raw[i - 1]!;
      this.rank[i] = this.rank[i - 1]!;
    }
    this.from[i] = from;
    this.k[i] = k;
    this.score[i] = score;
    this.raw[i] = raw;
    this.rank[i] = rank;
  }

  /** Whether the successor (score, rank, raw, k) ranks before entry i. */
  private before(i: number, score: number, rank: number, raw: number, k: number): boolean {
    if (score !== this.score[i]) return score > this.score[i]!;
    if (rank !== this.rank[i]) return rank < this.rank[i]!;
    if (raw !== this.raw[i]) return raw > this.raw[i]!;
    return k < this.k[i]!;
  }
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

/** One item's `width` best transitions by raw score (ties: the lower index), best first. */
class ItemBest {
  size = 0;
  readonly k: Int32Array;
  readonly raw: Float64Array;

  constructor(readonly width: number) {
    this.k = new Int32Array(width);
    this.raw = new Float64Array(width);
  }

  offer(k: number, raw: number): void {
    const w = this.width;
    let i: number;
    if (this.size === w) {
      const last = this.raw[w - 1]!;
      if (!(raw > last || (raw === last && k < this.k[w - 1]!))) return;
      i = w - 1;
    } else i = this.size++;
    for (; i > 0 && (raw > this.raw[i - 1]! || (raw === this.raw[i - 1]! && k < this.k[i - 1]!)); i--) {
      this.k[i] = this.k[i - 1]!;
      this.raw[i] = this.raw[i - 1]!;
    }
    this.k[i] = k;
    this.raw[i] = raw;
  }
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
  const beams: BeamItem[][] = batch.map((ids) => [
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
  /** The feature row of item i of sentence s's beam at s * width + i (-1: finished). */
  const rowOf = new Int32Array(batch.length * width);
  const legal = new Int32Array(T);
  /** Whether sentence s has an unfinished item this step. */
  const active = new Uint8Array(batch.length);
  const top = new Candidates(width);
  const best = new ItemBest(width);
  // without onStep nothing outside sees a beam before the last, so dropped items' memory is reused
  const step = successors(model, width, !onStep);
  for (;;) {
    // forced transitions first; then one row per unfinished item, all sentences in one call
    let rows = 0;
    active.fill(0);
    for (let s = 0; s < beams.length; s++) {
      if (stopped[s] === 1) continue;
      const beam = beams[s]!;
      for (let i = 0; i < beam.length; i++) {
        const item = beam[i]!;
        const c = item.config;
        for (let t = forcedTransition(system, moves, c); t; t = forcedTransition(system, moves, c)) {
          if (system.isTerminal(c)) break;
          system.apply(c, t);
        }
        if (system.isTerminal(c)) {
          rowOf[s * width + i] = -1;
          continue;
        }
        extractFeatures(c, batch[s]!, item.labelIds, buffers, rows);
        slots[rows] = s;
        active[s] = 1;
        rowOf[s * width + i] = rows++;
      }
    }
    if (rows === 0) break;
    const scores = scorer(buffers, rows, slots);
    for (let s = 0; s < beams.length; s++) {
      // a finished sentence's beam (every item complete, best first) stays as it is
      if (active[s] === 0) continue;
      const beam = beams[s]!;
      top.size = 0;
      for (let rank = 0; rank < beam.length; rank++) {
        const item = beam[rank]!;
        // a successor scores at most its item (log-probabilities are <= 0): skip items below the top
        if (local && top.size === width && item.score < top.score[width - 1]!) continue;
        const row = rowOf[s * width + rank]!;
        if (row < 0) {
          top.offer(item, -1, item.score, 0, rank);
          continue;
        }
        const base = row * stride;
        // one pass over the legal transitions: their maximum logit (for the log-partition) and the
        // item's `width` best successors, by raw score then index: a successor's sequence score
        // grows with its raw score, so no other successor of this item can be among the kept ones
        let max = Number.NEGATIVE_INFINITY;
        let legalCount = 0;
        best.size = 0;
        for (let m = 0; m < moves.length; m++) {
          if (!system.isLegal(item.config, moves[m]!)) continue;
          const ks = byMove[m]!;
          for (let j = 0; j < ks.length; j++) {
            const k = ks[j]!;
            legal[legalCount++] = k;
            const v = scores[base + k]!;
            if (v > max) max = v;
            // residual: the logit plus the perceptron's score, the log-partition of the logits alone
            best.offer(k, stride === T ? v : v + scores[base + T + k]!);
          }
        }
        if (legalCount === 0)
          throw new Error(`${system.name}: no legal transition (parser state is inconsistent)`);
        const logZ = normalised ? logPartition(scores, base, legal, legalCount, max) : 0;
        for (let i = 0; i < best.size; i++) {
          const raw = best.raw[i]!;
          const score = item.score + (raw - logZ);
          // the rest score no more (and the top's floor only rises)
          if (!top.admits(score)) break;
          top.offer(item, best.k[i]!, score, raw, rank);
        }
      }
      const next = step(beam, top);
      beams[s] = next;
      if (onStep && !onStep(s, next)) stopped[s] = 1;
    }
  }
  return beams;
}

/**
 * The kept candidates as items: an item's last successor takes it over, the others copy it. With
 * `reuse`, the copies are written over the items that no candidate kept (as many as there are copies
 * once the beam is full), instead of new configurations.
 */
function successors(
  model: BeamModel,
  width: number,
  reuse: boolean,
): (beam: readonly BeamItem[], top: Candidates) => BeamItem[] {
  const { system, transitions, labelIds } = model;
  const uses = new Int32Array(width);
  const dropped: BeamItem[] = [];
  return (beam, top) => {
    uses.fill(0, 0, beam.length);
    for (let i = 0; i < top.size; i++) uses[top.rank[i]!]!++;
    dropped.length = 0;
    if (reuse) for (let r = 0; r < beam.length; r++) if (uses[r] === 0) dropped.push(beam[r]!);
    const next = new Array<BeamItem>(top.size);
    for (let i = 0; i < top.size; i++) {
      const from = top.from[i]!;
      const k = top.k[i]!;
      if (k < 0) {
        next[i] = from;
        continue;
      }
      const left = --uses[top.rank[i]!]!;
      let item: BeamItem;
      if (left === 0) item = from;
      else {
        const spare = dropped.pop();
        if (spare) {
          copyConfiguration(from.config, spare.config);
          spare.labelIds.set(from.labelIds);
          item = spare;
        } else item = { config: copyConfiguration(from.config), labelIds: from.labelIds.slice(), score: 0 };
        if (from.path) item.path = from.path.slice();
      }
      const t = transitions[k]!;
      item.path?.push(k);
      const d = dependentOf(system, item.config, t);
      system.apply(item.config, t);
      if (d > 0) item.labelIds[d] = labelIds[k]!;
      item.score = top.score[i]!;
      next[i] = item;
    }
    return next;
  };
}
