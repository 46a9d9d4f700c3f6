// Test fixtures of structured beam search (imported by tests only): a tiny parser whose label set
// has 'root', random sentences, and exhaustive enumeration of every complete transition sequence
// scored as beam search with 'global' scores does (raw scores summed, forced transitions unscored).
import { Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { extractFeatures, featureBuffers, type SentenceIds } from '../model/features.js';
import { type Activation, tidyData } from '../model/model.js';
import { Parser, type Scorer } from '../model/parser.js';
import { Vocabulary } from '../model/vocab.js';
import { BatchActivations } from '../training/activations.js';
import { dependentOf } from '../transitions/transition-set.js';
import { Configuration, type SystemName } from '../transitions/transitions.js';
import { distinctMoves, forcedTransition } from './beam-search.js';
import { copyConfiguration } from './configuration-copy.js';

export function tinyStructuredParser(
  system: SystemName,
  seed: number,
  { activation = 'relu', outputScale = 20 }: { activation?: Activation; outputScale?: number } = {},
): Parser {
  const vocab = {
    words: Vocabulary.build(['a', 'b', 'c', 'd', 'e']),
    upos: Vocabulary.build(['N', 'V']),
    xpos: Vocabulary.build(['NN', 'VB']),
    labels: Vocabulary.build(['nsubj', 'root']),
  };
  const parser = Parser.create(
    {
      system,
      pseudoProjective: false,
      net: { wordDim: 8, tagDim: 4, labelDim: 4, extraDim: 4, hidden: [16], activation, dropout: 0 },
    },
    vocab,
    new Rng(seed),
  );
  const out = parser.net.output.weight as tf.Variable;
  tf.tidy(() => out.assign(tf.mul(out, outputScale)));
  parser.net.eval();
  return parser;
}

export function randomSentence(n: number, rng: Rng): SentenceIds {
  return {
    words: Int32Array.from({ length: n + 1 }, () => 3 + Math.floor(rng.next() * 5)),
    upos: Int32Array.from({ length: n + 1 }, () => 3 + Math.floor(rng.next() * 2)),
    xpos: Int32Array.from({ length: n + 1 }, () => 3 + Math.floor(rng.next() * 2)),
  };
}

export interface Enumerated {
  config: Configuration;
  /** The scored transitions. */
  path: number[];
  score: number;
}

/** Every complete sequence of one sentence, best first, its score the sum of its scored transitions' raw scores. */
export function enumerateGlobal(parser: Parser, ids: SentenceIds, scorer: Scorer): Enumerated[] {
  const model = parser.beamModel();
  const { system, transitions } = model;
  const moves = distinctMoves(transitions);
  const buffers = featureBuffers(1);
  const done: Enumerated[] = [];
  const visit = (c: Configuration, labelIds: Int32Array, path: number[], score: number) => {
    for (let t = forcedTransition(system, moves, c); t; t = forcedTransition(system, moves, c)) {
      if (system.isTerminal(c)) break;
      system.apply(c, t);
    }
    if (system.isTerminal(c)) {
      done.push({ config: c, path, score });
      return;
    }
    extractFeatures(c, ids, labelIds, buffers, 0);
    const raw = Array.from(scorer(buffers, 1, [0]));
    transitions.forEach((t, k) => {
      if (!system.isLegal(c, t)) return;
      const next = copyConfiguration(c);
      const nextLabels = labelIds.slice();
      const d = dependentOf(system, next, t);
      system.apply(next, t);
      if (d > 0) nextLabels[d] = model.labelIds[k]!;
      visit(next, nextLabels, [...path, k], score + raw[k]!);
    });
  };
  visit(new Configuration(ids.words.length - 1), new Int32Array(ids.words.length), [], 0);
  return done.sort((a, b) => b.score - a.score);
}

/**
 * A perceptron scorer with random weights over the net's last hidden activation, computed by tfjs
 * (the reference the kernel path's structured scoring is checked against).
 */
export class PerceptronScorerForTest {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  private readonly acts: BatchActivations;
  private readonly w: tf.Tensor2D;
  private readonly b: tf.Tensor1D;

  /** `residual`: rows of the net's logits then the perceptron's scores (BeamOptions 'residual'). */
  constructor(parser: Parser, batch: readonly SentenceIds[], rng: Rng, residual = false) {
    const H = parser.net.config.hidden.at(-1)!;
    const T = parser.transitions.size;
    this.weight = Float32Array.from({ length: H * T }, () => 4 * (rng.next() - 0.5));
    this.bias = Float32Array.from({ length: T }, () => rng.next() - 0.5);
    this.acts = new BatchActivations(parser.net, batch);
    const out = parser.net.output;
    this.w = tf.tidy((): tf.Tensor2D => {
      const w = tf.tensor2d(this.weight, [H, T]);
      return residual ? (tf.concat([out.weight, w], 1) as tf.Tensor2D) : w;
    });
    this.b = tf.tidy((): tf.Tensor1D => {
      const b = tf.tensor1d(this.bias);
      return residual ? (tf.concat([out.bias!, b]) as tf.Tensor1D) : b;
    });
  }

  readonly score: Scorer = (f, rows, slots) =>
    tidyData(() =>
      tf.add(tf.matMul(this.acts.hidden(f, rows, slots ?? new Int32Array(rows)), this.w), this.b),
    );

  dispose(): void {
    this.acts.dispose();
    tf.dispose([this.w, this.b]);
  }
}
