// Transition sequences as beam search sees them: the scored transitions only (a transition the system
// forces is applied unscored). The gold sequence is the static oracle's; replaying a sequence gives
// the feature rows its scored transitions were chosen at, which structured training scores again.
import { extractFeatures, type FeatureBuffers, type SentenceIds } from '../model/features.js';
import { dependentOf } from '../transitions/transition-set.js';
import { Configuration } from '../transitions/transitions.js';
import { type BeamModel, distinctMoves, forcedTransition } from './beam-search.js';

/** Applies the transitions the system forces in `c` (as beam search does before scoring). */
function applyForced(model: BeamModel, moves: ReturnType<typeof distinctMoves>, c: Configuration): void {
  for (let t = forcedTransition(model.system, moves, c); t; t = forcedTransition(model.system, moves, c)) {
    if (model.system.isTerminal(c)) return;
    model.system.apply(c, t);
  }
}

/**
 * The static oracle's scored transitions (output class ids) for a projective tree of `n` words
 * (`heads` and `labels` indexed 1..n).
 */
export function goldPath(
  model: BeamModel,
  n: number,
  heads: ArrayLike<number>,
  labels: ArrayLike<string>,
): number[] {
  const { system, transitions } = model;
  const id = new Map(transitions.map((t, k) => [`${t.move}\u0000${t.label ?? ''}`, k]));
  const moves = distinctMoves(transitions);
  const c = new Configuration(n);
  const path: number[] = [];
  for (;;) {
    applyForced(model, moves, c);
    if (system.isTerminal(c)) return path;
    const t = system.oracle(c, heads, labels);
    const k = id.get(`${t.move}\u0000${t.label ?? ''}`);
    if (k === undefined) throw new Error(`transition ${t.move}:${t.label} is not among the model's`);
    if (!system.isLegal(c, t)) throw new Error(`${system.name}: the oracle chose an illegal ${t.move}`);
    path.push(k);
    system.apply(c, t);
  }
}

/**
 * Replays the scored transitions `path` from the initial configuration of sentence `ids`, writing the
 * feature row each was chosen at into `buffers` from row `at`; returns the final configuration. A
 * transition that is illegal where the path puts it is an error.
 */
export function replayPath(
  model: BeamModel,
  ids: SentenceIds,
  path: readonly number[],
  buffers: FeatureBuffers,
  at: number,
  /** Called with the configuration each scored transition is chosen in (before it is applied). */
  visit?: (c: Configuration, step: number) => void,
): Configuration {
  const { system, transitions } = model;
  const moves = distinctMoves(transitions);
  const c = new Configuration(ids.words.length - 1);
  const labelIds = new Int32Array(ids.words.length);
  path.forEach((k, i) => {
    applyForced(model, moves, c);
    const t = transitions[k];
    if (!t || system.isTerminal(c) || !system.isLegal(c, t))
      throw new Error(`transition ${k} at step ${i} of the path is not legal there`);
    extractFeatures(c, ids, labelIds, buffers, at + i);
    visit?.(c, i);
    const d = dependentOf(system, c, t);
    system.apply(c, t);
    if (d > 0) labelIds[d] = model.labelIds[k]!;
  });
  applyForced(model, moves, c);
  return c;
}

/** Whether `path` is `gold`'s first path.length transitions. */
export function isGoldPrefix(path: readonly number[], gold: readonly number[]): boolean {
  if (path.length > gold.length) return false;
  for (let i = 0; i < path.length; i++) if (path[i] !== gold[i]) return false;
  return true;
}
