// Andor et al. (2016): globally normalised training of the whole network. A sequence scores the sum
// of the net's raw transition scores (logits, no softmax); per sentence, the loss is the CRF loss over
// the beam at the update step (early update by default): -score(gold prefix) + log sum over the beam's
// items, the gold prefix among them (added when it fell off), of exp(score). Its gradient flows through
// every layer of the net, which starts from the greedily trained one. Steps run on core's
// runTrainingLoop; the net is kept in evaluation mode (no dropout), so the scores the beam searched
// with are the ones the loss differentiates.
import {
  bestWeights,
  type GradientTransformation,
  gradientStep,
  keepBest,
  NonFiniteError,
  Optimizer,
  runTrainingLoop,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { type BeamUpdate, beamUpdates } from '../beam/beam-update.js';
import { replayPath } from '../beam/gold-path.js';
import { StructuredOutput } from '../beam/structured-output.js';
import { attachmentScores } from '../evaluation/metrics.js';
import { featureBuffers, type SentenceIds } from '../model/features.js';
import { contextLayout, featureTensors } from '../model/model.js';
import type { Parser } from '../model/parser.js';
import type { ConlluSentence } from '../text/conllu.js';
import { namedOptimizer } from './optimizer.js';
import {
  type StructuredEpochReport,
  type StructuredOptions,
  structuredDefaults,
  structuredEpochs,
  structuredSentences,
} from './structured-data.js';

export interface GlobalOptions extends StructuredOptions {
  /** The update rule (default Adam at 5e-5; see the README for what rates did on EWT). */
  optimizer?: GradientTransformation<any>;
}

/** The paths a loss compares, as feature rows: per sentence its beam's items and the gold prefix. */
interface LossRows {
  buffers: ReturnType<typeof featureBuffers>;
  rows: number;
  /** Per row: its sentence in the batch, its transition and its path (among all paths). */
  slots: Int32Array;
  ks: Int32Array;
  paths: Int32Array;
  pathCount: number;
  /** Per sentence: the gold path's index and its paths' indices (the gold's among them once). */
  gold: number[];
  members: number[][];
}

function lossRows(parser: Parser, ids: readonly SentenceIds[], updates: readonly BeamUpdate[]): LossRows {
  const model = parser.beamModel();
  const all: { s: number; path: number[] }[] = [];
  const gold: number[] = [];
  const members: number[][] = [];
  updates.forEach((u, s) => {
    const mine: number[] = [];
    let goldAt = -1;
    for (const item of u.beam) {
      const same = item.path.length === u.gold.length && item.path.every((k, i) => k === u.gold[i]);
      if (same) goldAt = all.length;
      mine.push(all.length);
      all.push({ s, path: item.path });
    }
    if (goldAt < 0) {
      goldAt = all.length;
      mine.push(all.length);
      all.push({ s, path: u.gold });
    }
    gold.push(goldAt);
    members.push(mine);
  });
  const rows = all.reduce((a, q) => a + q.path.length, 0);
  const buffers = featureBuffers(Math.max(rows, 1));
  const slots = new Int32Array(rows);
  const ks = new Int32Array(rows);
  const paths = new Int32Array(rows);
  let at = 0;
  all.forEach((q, i) => {
    replayPath(model, ids[q.s]!, q.path, buffers, at);
    slots.fill(q.s, at, at + q.path.length);
    paths.fill(i, at, at + q.path.length);
    ks.set(q.path, at);
    at += q.path.length;
  });
  return { buffers, rows, slots, ks, paths, pathCount: all.length, gold, members };
}

/**
 * The mean over sentences of the CRF loss over each sentence's beam at its update (see the header),
 * as a differentiable function of the net's weights (call inside a gradient).
 */
export function globalLoss(
  parser: Parser,
  ids: readonly SentenceIds[],
  updates: readonly BeamUpdate[],
): tf.Scalar {
  const r = lossRows(parser, ids, updates);
  const net = parser.net;
  const T = parser.transitions.size;
  const widest = Math.max(...r.members.map((m) => m.length));
  // per sentence, its paths' indices padded with the index of a -1e30 score (no weight in the sum)
  const padded = new Int32Array(ids.length * widest).fill(r.pathCount);
  r.members.forEach((m, s) => {
    padded.set(m, s * widest);
  });
  return tf.tidy(() => {
    const layout = net.config.context ? contextLayout(ids, net.config) : undefined;
    const f = featureTensors(r.buffers, r.rows, layout ? { layout, slots: r.slots } : undefined);
    const logits = net.logits(f, layout && net.contextTable(ids, layout));
    const flat = Int32Array.from(r.ks, (k, i) => i * T + k);
    const picked = tf.gather(tf.reshape(logits, [-1]), tf.tensor1d(flat, 'int32'));
    const pathScores = tf.unsortedSegmentSum(picked, tf.tensor1d(r.paths, 'int32'), r.pathCount);
    const withPad = tf.concat([pathScores, tf.tensor1d([-1e30])]);
    const beams = tf.reshape(tf.gather(withPad, tf.tensor1d(padded, 'int32')), [ids.length, widest]);
    const logZ = tf.logSumExp(beams, 1);
    const gold = tf.gather(pathScores, tf.tensor1d(Int32Array.from(r.gold), 'int32'));
    return tf.mean(tf.sub(logZ, gold)) as tf.Scalar;
  });
}

/** The net's own output layer as the structured one (beam parsing then sums raw scores). */
export function globalOutput(parser: Parser, beam: number): StructuredOutput {
  const out = new StructuredOutput({
    training: 'global',
    hidden: parser.net.config.hidden.at(-1)!,
    transitions: parser.transitions.size,
    beam,
  });
  out.assign(
    parser.net.output.weight.dataSync() as Float32Array,
    parser.net.output.bias!.dataSync() as Float32Array,
  );
  return out;
}

/**
 * Trains `parser`'s whole net with the globally normalised loss, in place, keeping the weights of the
 * best dev LAS (beam parsing with raw scores); attaches the net's output layer as its structured one.
 */
export function trainGlobal(
  parser: Parser,
  train: readonly ConlluSentence[],
  dev: readonly ConlluSentence[] | undefined,
  o: GlobalOptions = {},
): { history: StructuredEpochReport[]; best: number; skipped: number } {
  const { beam, epochs, per, update, rng } = structuredDefaults(o);
  const { sentences, skipped } = structuredSentences(parser, train);
  if (sentences.length === 0) throw new Error('no training sentence the parser can follow');
  const model = parser.beamModel();
  const vars = parser.net.trainableParameters();
  const opt = new Optimizer(o.optimizer ?? namedOptimizer({ lr: 5e-5 })(1), vars);
  const invalidate = () => parser.invalidate();
  const keeper = dev?.length ? bestWeights(parser.net.parameters(), { afterAssign: invalidate }) : undefined;
  const wasTraining = parser.net.training;
  const epochsOf = structuredEpochs(sentences, per, rng, o);
  try {
    runTrainingLoop({
      epochs,
      stepsPerEpoch: epochsOf.stepsPerEpoch,
      trainStep: (_, { epoch, stepInEpoch }) => {
        const part = epochsOf.batch(stepInEpoch);
        const ids = part.map((s) => s.ids);
        parser.net.eval();
        const scorer = parser.networkScorer(ids);
        let updates: BeamUpdate[];
        try {
          updates = beamUpdates(
            model,
            ids,
            part.map((s) => s.gold),
            scorer,
            beam,
            update,
          );
        } finally {
          scorer.dispose();
        }
        const updated = updates.filter((u) => u.kind !== 'none').length;
        const loss = gradientStep(opt, vars, () => globalLoss(parser, ids, updates));
        invalidate();
        epochsOf.stepDone(epoch, stepInEpoch, updated);
        return { loss, updated };
      },
      validate: keeper
        ? () => {
            parser.setStructured(globalOutput(parser, beam));
            const s = attachmentScores(dev!, parser.parse(dev!, { beam }));
            return { uas: s.uas, las: s.las };
          }
        : undefined,
      hooks: keeper ? [keepBest(keeper, 'las')] : [],
      onEpoch: epochsOf.onEpoch,
    });
    keeper?.restore();
  } catch (e) {
    if (e instanceof NonFiniteError)
      throw new Error(`global training diverged (loss ${e.value}) in epoch ${(e.epoch ?? 0) + 1}`, {
        cause: e,
      });
    throw e;
  } finally {
    opt.dispose();
    keeper?.dispose();
    parser.net.train(wasTraining);
  }
  parser.invalidate();
  parser.setStructured(globalOutput(parser, beam));
  return { history: epochsOf.history, best: keeper?.best ? keeper.best.epoch + 1 : epochs, skipped };
}
