// Training examples (feature rows and target transitions) from the training trees: the static
// oracle's, or the dynamic oracle's while following the model's own predictions; kept in growable
// flat buffers.
import type { Rng } from '@lab/core';
import {
  CONTEXT_POSITIONS,
  EXTRA_POSITIONS,
  extractFeatures,
  type FeatureBuffers,
  featureBuffers,
  LABEL_POSITIONS,
  type SentenceIds,
  TOKEN_POSITIONS,
} from '../model/features.js';
import type { Parser } from '../model/parser.js';
import { type ConlluSentence, words } from '../text/conllu.js';
import { dynamicOracle } from '../transitions/dynamic-oracle.js';
import { projectivize } from '../transitions/projectivize.js';
import { dependentOf } from '../transitions/transition-set.js';
import { Configuration, isProjective, SYSTEMS } from '../transitions/transitions.js';

export interface TrainTree {
  words: ReturnType<typeof words>;
  heads: number[];
  labels: string[];
}

export function trainingTrees(sentences: readonly ConlluSentence[], pseudoProjective: boolean): TrainTree[] {
  const out: TrainTree[] = [];
  for (const s of sentences) {
    const ws = words(s);
    let heads = [0, ...ws.map((w) => w.head)];
    let labels = ['', ...ws.map((w) => w.deprel)];
    if (!isProjective(heads)) {
      if (!pseudoProjective) continue; // a static oracle needs a projective tree
      ({ heads, labels } = projectivize(heads, labels));
    }
    out.push({ words: ws, heads, labels });
  }
  // lifted labels ("label|headLabel") seen fewer than 3 times fall back to their plain label
  const freq = new Map<string, number>();
  for (const t of out) for (const l of t.labels) freq.set(l, (freq.get(l) ?? 0) + 1);
  for (const t of out)
    t.labels = t.labels.map((l) => (l.includes('|') && freq.get(l)! < 3 ? l.slice(0, l.indexOf('|')) : l));
  return out;
}

/** Rows start..start+rows of feature buffers, as views. */
export function featureRows(f: FeatureBuffers, start: number, rows: number): FeatureBuffers {
  const C = CONTEXT_POSITIONS;
  const T = TOKEN_POSITIONS;
  const L = LABEL_POSITIONS;
  const E = EXTRA_POSITIONS;
  return {
    words: f.words.subarray(start * T, (start + rows) * T),
    upos: f.upos.subarray(start * T, (start + rows) * T),
    xpos: f.xpos.subarray(start * T, (start + rows) * T),
    labels: f.labels.subarray(start * L, (start + rows) * L),
    extras: f.extras.subarray(start * E, (start + rows) * E),
    tokens: f.tokens.subarray(start * C, (start + rows) * C),
  };
}

export interface Examples {
  features: FeatureBuffers;
  targets: Int32Array;
  /** The training sentence of each example. */
  sentences: Int32Array;
  count: number;
}

function growable(capacity: number): Examples {
  return {
    features: featureBuffers(capacity),
    targets: new Int32Array(capacity),
    sentences: new Int32Array(capacity),
    count: 0,
  };
}

function ensure(ex: Examples, extra: number): Examples {
  if (ex.count + extra <= ex.targets.length) return ex;
  const bigger = growable(Math.max(2 * ex.targets.length, ex.count + extra));
  bigger.features.words.set(ex.features.words);
  bigger.features.upos.set(ex.features.upos);
  bigger.features.xpos.set(ex.features.xpos);
  bigger.features.labels.set(ex.features.labels);
  bigger.features.extras.set(ex.features.extras);
  bigger.features.tokens.set(ex.features.tokens);
  bigger.targets.set(ex.targets);
  bigger.sentences.set(ex.sentences);
  bigger.count = ex.count;
  return bigger;
}

export function copyRow(
  src: FeatureBuffers,
  i: number,
  dst: FeatureBuffers,
  r: number,
  ts: Int32Array,
  td: Int32Array,
) {
  copyFeatures(src, i, dst, r);
  td[r] = ts[i]!;
}

function copyFeatures(src: FeatureBuffers, i: number, dst: FeatureBuffers, r: number) {
  const C = CONTEXT_POSITIONS;
  const T = TOKEN_POSITIONS;
  const L = LABEL_POSITIONS;
  const E = EXTRA_POSITIONS;
  dst.words.set(src.words.subarray(i * T, i * T + T), r * T);
  dst.upos.set(src.upos.subarray(i * T, i * T + T), r * T);
  dst.xpos.set(src.xpos.subarray(i * T, i * T + T), r * T);
  dst.labels.set(src.labels.subarray(i * L, i * L + L), r * L);
  dst.extras.set(src.extras.subarray(i * E, i * E + E), r * E);
  dst.tokens.set(src.tokens.subarray(i * C, i * C + C), r * C);
}

export function staticExamples(
  parser: Parser,
  trees: readonly TrainTree[],
  ids: readonly SentenceIds[],
): Examples {
  const sys = SYSTEMS[parser.config.system];
  let ex = growable(1 << 16);
  trees.forEach((t, s) => {
    const c = new Configuration(t.words.length);
    const labelIds = new Int32Array(t.words.length + 1);
    ex = ensure(ex, 4 * t.words.length + 4);
    while (!sys.isTerminal(c)) {
      const gold = sys.oracle(c, t.heads, t.labels);
      const k = parser.transitions.id(gold);
      if (k < 0) throw new Error(`transition ${gold.move}:${gold.label} is not in the transition set`);
      extractFeatures(c, ids[s]!, labelIds, ex.features, ex.count);
      ex.sentences[ex.count] = s;
      ex.targets[ex.count++] = k;
      const d = dependentOf(sys, c, gold);
      sys.apply(c, gold);
      if (d > 0) labelIds[d] = parser.vocab.labels.id(gold.label!);
    }
  });
  return ex;
}

/**
 * Dynamic-oracle examples (arc-hybrid, arc-eager): sentences are parsed side by side with the current model;
 * the target is the best-scoring zero-cost transition, and the parser follows its own prediction
 * (with probability p) even when that is a mistake, so it learns to recover.
 */
export function exploredExamples(
  parser: Parser,
  trees: readonly TrainTree[],
  ids: readonly SentenceIds[],
  rng: Rng,
  p: number,
): Examples {
  const sys = SYSTEMS[parser.config.system];
  const cost = dynamicOracle(parser.config.system)!;
  const T = parser.transitions.size;
  const items = parser.transitions.items;
  let ex = growable(1 << 16);
  parser.net.eval();
  parser.invalidate();
  const chunk = 512;
  for (let s0 = 0; s0 < trees.length; s0 += chunk) {
    const part = trees.slice(s0, s0 + chunk);
    const scorer = parser.networkScorer(ids.slice(s0, s0 + chunk));
    const configs = part.map((t) => new Configuration(t.words.length));
    const labelIds = part.map((t) => new Int32Array(t.words.length + 1));
    const active = part.map((_, i) => i).filter((i) => !sys.isTerminal(configs[i]!));
    const fb = featureBuffers(part.length);
    while (active.length) {
      ex = ensure(ex, active.length);
      active.forEach((i, row) => {
        extractFeatures(configs[i]!, ids[s0 + i]!, labelIds[i]!, fb, row);
      });
      const scores = scorer(fb, active.length, active);
      let w = 0;
      for (let row = 0; row < active.length; row++) {
        const i = active[row]!;
        const c = configs[i]!;
        const t = part[i]!;
        let pred = -1;
        let bestZero = -1;
        for (let k = 0; k < T; k++) {
          const tr = items[k]!;
          if (!sys.isLegal(c, tr)) continue;
          const v = scores[row * T + k]!;
          if (pred < 0 || v > scores[row * T + pred]!) pred = k;
          if ((bestZero < 0 || v > scores[row * T + bestZero]!) && cost(c, tr, t.heads, t.labels) === 0)
            bestZero = k;
        }
        if (bestZero >= 0) {
          copyFeatures(fb, row, ex.features, ex.count);
          ex.sentences[ex.count] = s0 + i;
          ex.targets[ex.count++] = bestZero;
        }
        const follow = bestZero < 0 || (pred !== bestZero && rng.next() < p) ? pred : bestZero;
        const tr = items[follow]!;
        const d = dependentOf(sys, c, tr);
        sys.apply(c, tr);
        if (d > 0) labelIds[i]![d] = parser.vocab.labels.id(tr.label!);
        if (!sys.isTerminal(c)) active[w++] = i;
      }
      active.length = w;
    }
    scorer.dispose();
  }
  parser.net.train();
  return ex;
}
