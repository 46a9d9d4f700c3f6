// What structured training reads of the training sentences: each sentence's ids and its gold
// transition sequence (the static oracle's scored transitions), and the options both structured
// trainers share.
import { type EpochEvent, Rng } from '@lab/core';
import type { UpdateRule } from '../beam/beam-update.js';
import { goldPath } from '../beam/gold-path.js';
import type { SentenceIds } from '../model/features.js';
import type { Parser } from '../model/parser.js';
import type { ConlluSentence } from '../text/conllu.js';
import { trainingTrees } from './examples.js';

export interface StructuredOptions {
  /** Beam width in training (and for the dev scores). Default 8. */
  beam?: number;
  epochs?: number;
  /** Where an update compares the beam with the gold prefix. Default 'early'. */
  update?: UpdateRule;
  /** Sentences searched side by side per step (one update each). Default 16. */
  sentencesPerStep?: number;
  seed?: number;
  onEpoch?: (e: StructuredEpochReport) => void;
  onStep?: (e: { epoch: number; step: number; steps: number; updated: number }) => void;
}

export interface StructuredEpochReport {
  epoch: number;
  /** Fraction of the epoch's sentences that made an update (the gold lost somewhere). */
  updated: number;
  seconds: number;
  dev?: { uas: number; las: number };
}

export interface StructuredSentence {
  ids: SentenceIds;
  gold: number[];
}

/**
 * The sentences structured training can use: projective (or projectivised) trees whose transitions
 * the parser has, with their gold sequences; `skipped` counts the others.
 */
export function structuredSentences(
  parser: Parser,
  train: readonly ConlluSentence[],
): { sentences: StructuredSentence[]; skipped: number } {
  const model = parser.beamModel();
  const trees = trainingTrees(train, parser.config.pseudoProjective);
  const sentences: StructuredSentence[] = [];
  let skipped = train.length - trees.length;
  for (const t of trees) {
    let gold: number[];
    try {
      gold = goldPath(model, t.words.length, t.heads, t.labels);
    } catch {
      skipped++; // a label the parser was not trained with
      continue;
    }
    if (gold.length === 0)
      skipped++; // every transition forced: nothing to learn
    else sentences.push({ ids: parser.encode(t.words), gold });
  }
  return { sentences, skipped };
}

/** Checks the shared options and fills in their defaults. */
export function structuredDefaults(o: StructuredOptions) {
  const beam = o.beam ?? 8;
  const epochs = o.epochs ?? 1;
  const per = o.sentencesPerStep ?? 16;
  if (!(Number.isInteger(beam) && beam >= 1 && beam <= 64))
    throw new RangeError(`beam must be an integer in [1, 64], got ${beam}`);
  if (!(Number.isInteger(epochs) && epochs >= 0))
    throw new RangeError(`epochs must be a whole number, got ${epochs}`);
  if (!(Number.isInteger(per) && per >= 1))
    throw new RangeError(`sentencesPerStep must be a positive integer, got ${per}`);
  const update = o.update ?? 'early';
  if (update !== 'early' && update !== 'max-violation')
    throw new RangeError(`update must be 'early' or 'max-violation', got ${String(update)}`);
  return { beam, epochs, per, update, rng: new Rng(o.seed ?? 0) };
}

/** An epoch's steps: the sentences in shuffled order, `per` at a time. */
export function structuredBatches(count: number, per: number, rng: Rng): Int32Array[] {
  const order = rng.permutation(count);
  const out: Int32Array[] = [];
  for (let i = 0; i < count; i += per) out.push(order.subarray(i, i + per));
  return out;
}

/**
 * The epoch bookkeeping both structured trainers hand to runTrainingLoop: a fresh shuffled batching
 * per epoch (`stepsPerEpoch`), a step's sentences (`batch`), the count of updates (`stepDone`, which
 * also reports the step) and the epoch report (`onEpoch`: pushed to `history`, passed to o.onEpoch).
 */
export function structuredEpochs(
  sentences: readonly StructuredSentence[],
  per: number,
  rng: Rng,
  o: Pick<StructuredOptions, 'onEpoch' | 'onStep'>,
) {
  const history: StructuredEpochReport[] = [];
  let batches: Int32Array[] = [];
  let updatedInEpoch = 0;
  return {
    history,
    stepsPerEpoch: () => {
      batches = structuredBatches(sentences.length, per, rng);
      updatedInEpoch = 0;
      return batches.length;
    },
    batch: (stepInEpoch: number) => Array.from(batches[stepInEpoch]!, (i) => sentences[i]!),
    stepDone: (epoch: number, stepInEpoch: number, updated: number) => {
      updatedInEpoch += updated;
      o.onStep?.({ epoch: epoch + 1, step: stepInEpoch, steps: batches.length, updated });
    },
    onEpoch: (e: EpochEvent) => {
      const report: StructuredEpochReport = {
        epoch: e.epoch + 1,
        updated: updatedInEpoch / sentences.length,
        seconds: e.ms / 1000,
      };
      if (e.validation) report.dev = { uas: e.validation.uas!, las: e.validation.las! };
      history.push(report);
      o.onEpoch?.(report);
    },
  };
}
