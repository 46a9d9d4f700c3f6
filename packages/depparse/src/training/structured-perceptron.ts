// Weiss et al. (2015), section 3: a structured perceptron over a frozen, greedily trained network.
// A transition a in state s scores w_a . h(s) + b_a, h(s) the net's last hidden activation (the input
// of its output layer; see beam/structured-output.ts). Each step searches a few sentences with the
// current weights and beam search ('global' scores), then updates w by the features of the gold
// prefix minus those of the best beam item at the step early update (or max-violation) picks.
// Updates are those of the weights the step searched with (a small mini-batch); the averaged weights
// are the result. Runs on core's runTrainingLoop.
import { runTrainingLoop } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { type BeamUpdate, beamUpdates } from '../beam/beam-update.js';
import { replayPath } from '../beam/gold-path.js';
import { StructuredOutput } from '../beam/structured-output.js';
import { attachmentScores } from '../evaluation/metrics.js';
import { featureBuffers } from '../model/features.js';
import { tidyData } from '../model/model.js';
import type { Parser, Scorer } from '../model/parser.js';
import type { ConlluSentence } from '../text/conllu.js';
import { BatchActivations } from './activations.js';
import { AveragedPerceptron } from './averaged-perceptron.js';
import {
  type StructuredEpochReport,
  type StructuredOptions,
  type StructuredSentence,
  structuredDefaults,
  structuredEpochs,
  structuredSentences,
} from './structured-data.js';

export interface PerceptronOptions extends StructuredOptions {
  /**
   * 'residual' (default): a transition scores the frozen net's log-softmax plus the perceptron's
   * score, the perceptron starting from zero, so training starts from the greedy model's beam and
   * learns a correction (Weiss et al.'s features include the softmax layer). 'network': the
   * perceptron alone, starting from the net's output layer (its raw logits); 'zero': the perceptron
   * alone from zero, as Weiss et al. train it.
   */
  init?: 'residual' | 'network' | 'zero';
  /** The update's step size (default 1; with 'network' it sets the update against the net's weights). */
  rate?: number;
}

/**
 * A scorer of the perceptron's current weights over a batch's activations; `residual`: the net's
 * logits first, then the perceptron's scores (rows 2 x transitions wide; see BeamOptions).
 */
function perceptronScorer(
  acts: BatchActivations,
  p: AveragedPerceptron,
  residual: boolean,
): Scorer & { dispose(): void } {
  const out = acts.net.output;
  const w = tf.tidy(() => {
    const mine = tf.tensor2d(p.weight, [p.hidden, p.transitions]);
    return residual ? tf.concat([out.weight, mine], 1) : mine;
  });
  const b = tf.tidy(() => (residual ? tf.concat([out.bias!, tf.tensor1d(p.bias)]) : tf.tensor1d(p.bias)));
  const score = (f: Parameters<Scorer>[0], rows: number, slots?: ArrayLike<number>) =>
    tidyData(() => tf.add(tf.matMul(acts.hidden(f, rows, slots ?? new Int32Array(rows)), w), b));
  return Object.assign(score, { dispose: () => tf.dispose([w, b]) });
}

/**
 * One perceptron step on sentences `batch`: beam search with the current weights, then per sentence
 * (in order, one example each) the update gold prefix minus best item. Returns the sentences updated.
 */
export function perceptronStep(
  parser: Parser,
  p: AveragedPerceptron,
  batch: readonly StructuredSentence[],
  width: number,
  rule: 'early' | 'max-violation',
  rate = 1,
  residual = false,
): { updated: number; updates: BeamUpdate[] } {
  const model = parser.beamModel();
  const ids = batch.map((s) => s.ids);
  const acts = new BatchActivations(parser.net, ids);
  try {
    const scorer = perceptronScorer(acts, p, residual);
    let updates: BeamUpdate[];
    try {
      updates = beamUpdates(
        model,
        ids,
        batch.map((s) => s.gold),
        scorer,
        width,
        rule,
        residual ? 'residual' : 'global',
      );
    } finally {
      scorer.dispose();
    }
    // the rows of every update: the gold prefix (+1) then the best item (-1), per sentence
    const parts: { gold: number[]; best: number[] }[] = updates.map((u) =>
      u.kind === 'none' ? { gold: [], best: [] } : { gold: u.gold, best: u.beam[0]!.path },
    );
    const rows = parts.reduce((a, q) => a + q.gold.length + q.best.length, 0);
    const buffers = featureBuffers(Math.max(rows, 1));
    const slots = new Int32Array(rows);
    const ks = new Int32Array(rows);
    let at = 0;
    parts.forEach((q, s) => {
      for (const path of [q.gold, q.best]) {
        replayPath(model, ids[s]!, path, buffers, at);
        slots.fill(s, at, at + path.length);
        ks.set(path, at);
        at += path.length;
      }
    });
    const h = rows ? tidyData(() => acts.hidden(buffers, rows, slots)) : new Float32Array(0);
    at = 0;
    let updated = 0;
    for (const q of parts) {
      p.nextExample();
      if (q.gold.length + q.best.length > 0) updated++;
      p.add(h, ks, at, q.gold.length, rate);
      at += q.gold.length;
      p.add(h, ks, at, q.best.length, -rate);
      at += q.best.length;
    }
    return { updated, updates };
  } finally {
    acts.dispose();
  }
}

/** The averaged weights as a structured output layer for `parser`. */
export function perceptronOutput(p: AveragedPerceptron, beam: number, residual = false): StructuredOutput {
  const out = new StructuredOutput({
    training: 'perceptron',
    hidden: p.hidden,
    transitions: p.transitions,
    beam,
    ...(residual ? { residual } : {}),
  });
  const { weight, bias } = p.averaged();
  out.assign(weight, bias);
  return out;
}

/**
 * Trains a structured perceptron on top of `parser`'s frozen net and attaches the averaged weights
 * with the best dev LAS (beam parsing) to it (`parser.setStructured`); with no dev set, the last.
 */
export function trainPerceptron(
  parser: Parser,
  train: readonly ConlluSentence[],
  dev: readonly ConlluSentence[] | undefined,
  o: PerceptronOptions = {},
): { history: StructuredEpochReport[]; best: number; skipped: number } {
  const { beam, epochs, per, update, rng } = structuredDefaults(o);
  const rate = o.rate ?? 1;
  if (!(rate > 0 && Number.isFinite(rate)))
    throw new RangeError(`rate must be a positive number, got ${rate}`);
  const { sentences, skipped } = structuredSentences(parser, train);
  if (sentences.length === 0) throw new Error('no training sentence the parser can follow');
  const H = parser.net.config.hidden.at(-1)!;
  const T = parser.transitions.size;
  const init = o.init ?? 'residual';
  const residual = init === 'residual';
  const initial =
    init === 'network'
      ? {
          weight: parser.net.output.weight.dataSync() as Float32Array,
          bias: parser.net.output.bias!.dataSync() as Float32Array,
        }
      : undefined;
  const p = new AveragedPerceptron(H, T, initial);
  const wasTraining = parser.net.training;
  parser.net.eval();
  const epochsOf = structuredEpochs(sentences, per, rng, o);
  let best: { las: number; epoch: number; output: StructuredOutput } | undefined;
  try {
    runTrainingLoop({
      epochs,
      stepsPerEpoch: epochsOf.stepsPerEpoch,
      trainStep: (_, { epoch, stepInEpoch }) => {
        const part = epochsOf.batch(stepInEpoch);
        const { updated } = perceptronStep(parser, p, part, beam, update, rate, residual);
        epochsOf.stepDone(epoch, stepInEpoch, updated);
        return { updated };
      },
      validate: dev?.length
        ? (epoch) => {
            parser.setStructured(perceptronOutput(p, beam, residual));
            const s = attachmentScores(dev, parser.parse(dev, { beam }));
            if (!best || s.las > best.las) {
              best?.output.dispose();
              best = { las: s.las, epoch, output: perceptronOutput(p, beam, residual) };
            }
            return { uas: s.uas, las: s.las };
          }
        : undefined,
      onEpoch: epochsOf.onEpoch,
    });
  } catch (e) {
    best?.output.dispose();
    throw e;
  } finally {
    parser.net.train(wasTraining);
  }
  const chosen = best as { las: number; epoch: number; output: StructuredOutput } | undefined;
  parser.setStructured(chosen ? chosen.output : perceptronOutput(p, beam, residual));
  return { history: epochsOf.history, best: chosen ? chosen.epoch + 1 : epochs, skipped };
}
