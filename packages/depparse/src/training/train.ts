// Training a parser on core's runTrainingLoop: each epoch draws word dropout, examples (static oracle,
// or from `exploreFrom` the dynamic oracle while following the model's own predictions, Goldberg &
// Nivre 2013; see examples.ts) and the batch order; a step is softmax cross-entropy (mixed with
// teachers' distributions when distilling) and one update of the optimizer's transform (Adam by
// default, AdaGrad as in Chen & Manning by name). The loop's EMA averager and best-weights keeper keep
// the best epoch on the dev set.
import {
  averager,
  bestWeights,
  ema,
  type GradientTransformation,
  gradientStep,
  keepBest,
  NonFiniteError,
  Optimizer,
  Rng,
  runTrainingLoop,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { attachmentScores } from '../evaluation/metrics.js';
import { featureBuffers, type SentenceIds } from '../model/features.js';
import {
  type ContextLayout,
  contextLayout,
  DEFAULT_NET,
  featureTensors,
  type NetConfig,
} from '../model/model.js';
import { Parser, type Vocabularies } from '../model/parser.js';
import { normalizeWord, Vocabulary } from '../model/vocab.js';
import type { ConlluSentence } from '../text/conllu.js';
import { type Morphology, morphologyKey } from '../text/morphology.js';
import { dynamicOracle } from '../transitions/dynamic-oracle.js';
import type { SystemName } from '../transitions/transitions.js';
import { exampleBatches, sentenceBatches } from './batches.js';
import { checkTeacher, teacherProbabilities } from './distillation.js';
import {
  copyRow,
  type Examples,
  exploredExamples,
  staticExamples,
  type TrainTree,
  trainingTrees,
} from './examples.js';
import { namedOptimizer, type OptimizerFactory } from './optimizer.js';
import { initialiseWords, projectUnseenWords } from './word-vectors.js';

export { parseWordVectors, projectUnseenWords } from './word-vectors.js';

export interface TrainParserOptions {
  system?: SystemName;
  pseudoProjective?: boolean;
  /** What the XPOS embedding reads: 'xpos' (default) or 'xpos+feats' (XPOS and FEATS as one tag). */
  morphology?: Morphology;
  net?: Partial<Omit<NetConfig, 'words' | 'upos' | 'xpos' | 'labels' | 'transitions'>>;
  epochs?: number;
  batchSize?: number;
  /**
   * The update rule: a GradientTransformation, or a factory given the run's length in steps
   * (estimated before training as epochs x 2n transitions per sentence of n words / batchSize), for
   * schedules that span the run. Default `namedOptimizer()`: Adam at 1e-3 with L2 1e-8; e.g.
   * `namedOptimizer({ name: 'adagrad', schedule: 'cosine' })` for Chen & Manning's AdaGrad annealed.
   */
  optimizer?: GradientTransformation<any> | OptimizerFactory;
  /** Words seen fewer times are unknown. Default 2. */
  minWordCount?: number;
  /** Word dropout alpha: a word seen c times becomes UNK with probability alpha / (alpha + c). */
  wordDropout?: number;
  /** arc-hybrid or arc-eager: from this epoch on, train on the dynamic oracle's targets while following the model's prediction with probability `exploreProb`. */
  exploreFrom?: number;
  exploreProb?: number;
  /**
   * Polyak averaging: an exponential moving average of the weights with this decay (e.g. 0.999) is
   * what the dev set scores and what the parser keeps. Default: none (the last weights).
   */
  averageDecay?: number;
  /** Pretrained vectors (word -> vector of wordDim) for the embedding's initial rows. */
  pretrained?: Map<string, Float32Array>;
  /**
   * The pretrained vectors are scaled by one factor to this root mean square (default 0.08, where a
   * parser's trained word embeddings settle on EWT; GloVe's own is ~0.5, which would start the
   * cube layer far from where its initial weights expect). null keeps them as they are.
   */
  pretrainedRms?: number | null;
  /**
   * Words of `pretrained` (the first this many, in the file's order, which for word2vec and GloVe is
   * by frequency) that training saw fewer than `minWordCount` times join the vocabulary with their
   * vectors, so parsing reads them instead of UNK. Default 0: only training words get ids.
   */
  pretrainedVocabulary?: number;
  /**
   * Knowledge distillation (Hinton et al. 2015; Liu et al. 2018 for transition parsers): trained
   * parsers whose averaged transition probabilities on every training example, static or explored,
   * are mixed into the targets. An ensemble's accuracy passes largely into one model of the usual
   * size and speed. Teachers must share the student's system, morphology and vocabularies (train
   * them with the same data, `minWordCount` and pretrained vocabulary).
   */
  teachers?: readonly Parser[];
  /** Weight of the teachers' distribution in each target (default 0.5); the oracle's transition has the rest. */
  teacherWeight?: number;
  seed?: number;
  onEpoch?: (e: EpochReport) => void;
  onBatch?: (e: { epoch: number; batch: number; batches: number; loss: number }) => void;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  examples: number;
  seconds: number;
  dev?: { uas: number; las: number };
}

/** Builds vocabularies from training sentences (labels: those of the projectivised trees). */
export function buildVocabularies(
  trees: readonly TrainTree[],
  minWordCount: number,
  morphology: Morphology = 'xpos',
  extraWords: Iterable<string> = [],
): Vocabularies {
  const all = trees.flatMap((t) => t.words);
  const forms = all.map((w) => normalizeWord(w.form));
  return {
    words: Vocabulary.build(forms, minWordCount).extend(extraWords, forms),
    upos: Vocabulary.build(all.map((w) => w.upos)),
    xpos: Vocabulary.build(all.map((w) => morphologyKey(w, morphology))),
    labels: Vocabulary.build(
      trees.flatMap((t) => t.labels.slice(1)),
      1,
    ),
  };
}

export function trainParser(
  train: readonly ConlluSentence[],
  dev: readonly ConlluSentence[] | undefined,
  o: TrainParserOptions = {},
): { parser: Parser; history: EpochReport[]; best: number } {
  const system = o.system ?? 'arc-hybrid';
  const pseudoProjective = o.pseudoProjective ?? true;
  const epochs = o.epochs ?? 10;
  const batchSize = o.batchSize ?? 512;
  const rng = new Rng(o.seed ?? 0);
  const trees = trainingTrees(train, pseudoProjective);
  if (trees.length === 0) throw new Error('no usable training trees');
  const morphology = o.morphology ?? 'xpos';
  const extra = o.pretrainedVocabulary ?? 0;
  if (!(Number.isInteger(extra) && extra >= 0))
    throw new RangeError(`pretrainedVocabulary must be a whole number >= 0, got ${extra}`);
  if (extra > 0 && !o.pretrained) throw new Error('pretrainedVocabulary needs pretrained vectors');
  const extraWords = o.pretrained ? [...o.pretrained.keys()].slice(0, extra) : [];
  const vocab = buildVocabularies(trees, o.minWordCount ?? 2, morphology, extraWords);
  const parser = Parser.create(
    {
      system,
      pseudoProjective,
      ...(morphology === 'xpos' ? {} : { morphology }),
      net: { ...DEFAULT_NET, ...o.net },
    },
    vocab,
    rng,
  );
  if (o.pretrained)
    initialiseWords(parser, o.pretrained, o.pretrainedRms === undefined ? 0.08 : o.pretrainedRms);
  const teachers = o.teachers ?? [];
  const contextual = parser.net.config.context !== undefined;
  if (contextual && teachers.length)
    throw new Error('distillation into a parser with a context encoder is not supported');
  const teacherWeight = o.teacherWeight ?? 0.5;
  if (!(teacherWeight >= 0 && teacherWeight <= 1))
    throw new RangeError(`teacherWeight must be in [0, 1], got ${teacherWeight}`);
  teachers.forEach((t, i) => {
    checkTeacher(t, parser, i);
  });
  // words that only the pretrained vectors know never get a gradient: their rows are mapped from
  // the pretrained space into the trained one before each evaluation (see projectUnseenWords)
  const unseen = vocab.words.counts.some((c, id) => id >= 3 && c === 0);
  const vars = parser.net.trainableParameters();
  // about 2n transitions per sentence of n words in every system: the run's length for schedules
  const runSteps = epochs * Math.ceil(trees.reduce((a, t) => a + 2 * t.words.length, 0) / batchSize);
  const transform =
    typeof o.optimizer === 'function' ? o.optimizer(runSteps) : (o.optimizer ?? namedOptimizer()(runSteps));
  if (o.exploreFrom !== undefined && !dynamicOracle(system))
    throw new Error(`${system} has no dynamic oracle: exploration needs arc-hybrid or arc-eager`);
  const decay = o.averageDecay;
  if (decay !== undefined && !(decay > 0 && decay < 1))
    throw new RangeError(`averageDecay must be in (0, 1), got ${decay}`);
  const invalidate = () => parser.invalidate();
  const opt = new Optimizer(transform, vars);
  // the average of every trainable weight, updated after each step
  const average = decay === undefined ? undefined : averager(vars, ema(decay), { afterAssign: invalidate });
  const scored = Boolean(dev?.length);
  const keeper = scored ? bestWeights(parser.net.parameters(), { afterAssign: invalidate }) : undefined;
  const history: EpochReport[] = [];
  const step = parserStep(parser, vars, opt, { contextual, teacherWeight, batchSize });
  let epoch: ParserEpoch | undefined;
  try {
    runTrainingLoop({
      epochs,
      // each epoch's word dropout, examples and batch order are drawn when it starts
      stepsPerEpoch: (e) => {
        epoch = parserEpoch(parser, trees, rng, {
          wordDropout: o.wordDropout ?? 0.25,
          explore: o.exploreFrom !== undefined && e + 1 >= o.exploreFrom,
          exploreProb: o.exploreProb ?? 0.9,
          contextual,
          batchSize,
          teachers,
        });
        parser.net.train();
        return epoch.batches.length;
      },
      trainStep: (_, { stepInEpoch }) => {
        const { loss, rows } = step(epoch!, stepInEpoch);
        return { loss, summedLoss: loss * rows };
      },
      average,
      // with averaging, the dev set scores the average; training goes on from the last weights
      validate: scored
        ? () => {
            parser.invalidate();
            if (unseen) projectUnseenWords(parser, o.pretrained!);
            const s = attachmentScores(dev!, parser.parse(dev!));
            return { uas: s.uas, las: s.las };
          }
        : undefined,
      hooks: keeper ? [keepBest(keeper, 'las')] : [],
      onStep: (e) =>
        o.onBatch?.({
          epoch: e.epoch + 1,
          batch: e.stepInEpoch,
          batches: e.epochSteps,
          loss: e.metrics.loss!,
        }),
      onEpoch: (e) => {
        const report: EpochReport = {
          epoch: e.epoch + 1,
          loss: (e.sums.summedLoss ?? 0) / epoch!.examples.count,
          examples: epoch!.examples.count,
          seconds: e.ms / 1000,
        };
        if (e.validation) report.dev = { uas: e.validation.uas!, las: e.validation.las! };
        history.push(report);
        o.onEpoch?.(report);
      },
    });
    if (average && !keeper?.best) average.assign();
    if (!keeper?.restore() && unseen) projectUnseenWords(parser, o.pretrained!);
  } catch (e) {
    parser.dispose();
    if (e instanceof NonFiniteError)
      throw new Error(`parser training diverged (loss ${e.value}) in epoch ${(e.epoch ?? 0) + 1}`, {
        cause: e,
      });
    throw e;
  } finally {
    opt.dispose();
    average?.dispose();
    keeper?.dispose();
  }
  parser.invalidate();
  return { parser, history, best: keeper?.best ? keeper.best.epoch + 1 : epochs };
}

/** One epoch's training data: the sentences' ids (after word dropout), examples, batches and soft targets. */
interface ParserEpoch {
  ids: SentenceIds[];
  examples: Examples;
  batches: Int32Array[];
  /** The teachers' averaged distribution per example, [count, transitions] (distillation only). */
  soft?: Float32Array;
}

interface ParserEpochOptions {
  wordDropout: number;
  explore: boolean;
  exploreProb: number;
  contextual: boolean;
  batchSize: number;
  teachers: readonly Parser[];
}

/** Draws an epoch: word dropout, then (when exploring) the followed transitions, then the batch order. */
function parserEpoch(
  parser: Parser,
  trees: readonly TrainTree[],
  rng: Rng,
  o: ParserEpochOptions,
): ParserEpoch {
  const ids = trees.map((t) => parser.encode(t.words, { rng, alpha: o.wordDropout }));
  const examples = o.explore
    ? exploredExamples(parser, trees, ids, rng, o.exploreProb)
    : staticExamples(parser, trees, ids);
  const batches = o.contextual
    ? sentenceBatches(examples, trees.length, o.batchSize, rng)
    : exampleBatches(examples.count, o.batchSize, rng);
  const soft = o.teachers.length ? teacherProbabilities(o.teachers, examples) : undefined;
  return { ids, examples, batches, ...(soft ? { soft } : {}) };
}

/**
 * The training step on batch `b` of an epoch: softmax cross-entropy against the oracle's transition
 * (mixed with the teachers' distribution when distilling), one optimizer update. Reuses its buffers.
 */
function parserStep(
  parser: Parser,
  vars: Record<string, tf.Variable>,
  opt: Optimizer<any>,
  o: { contextual: boolean; teacherWeight: number; batchSize: number },
): (epoch: ParserEpoch, b: number) => { loss: number; rows: number } {
  const T = parser.transitions.size;
  let fb = featureBuffers(o.batchSize);
  let targets = new Int32Array(o.batchSize);
  let mixed = new Float32Array(0);
  return ({ ids, examples: ex, batches, soft }, b) => {
    const batch = batches[b]!;
    const rows = batch.length;
    if (rows > targets.length) {
      fb = featureBuffers(rows);
      targets = new Int32Array(rows);
    }
    if (soft && mixed.length < rows * T) mixed = new Float32Array(Math.max(rows, o.batchSize) * T);
    for (let r = 0; r < rows; r++) copyRow(ex.features, batch[r]!, fb, r, ex.targets, targets);
    let context: { sentences: SentenceIds[]; layout: ContextLayout; slots: Int32Array } | undefined;
    if (o.contextual) {
      // the batch's sentences, in order of first appearance, and each row's slot among them
      const slotOf = new Map<number, number>();
      const slots = new Int32Array(rows);
      const sentences: SentenceIds[] = [];
      for (let r = 0; r < rows; r++) {
        const s = ex.sentences[batch[r]!]!;
        let slot = slotOf.get(s);
        if (slot === undefined) {
          slot = sentences.length;
          slotOf.set(s, slot);
          sentences.push(ids[s]!);
        }
        slots[r] = slot;
      }
      context = { sentences, layout: contextLayout(sentences, parser.net.config), slots };
    }
    const f = featureTensors(fb, rows, context);
    let y: tf.Tensor;
    if (soft) {
      // (1 - w) on the oracle's transition plus w times the teachers' distribution
      const w = o.teacherWeight;
      for (let r = 0; r < rows; r++) {
        const i = batch[r]!;
        for (let k = 0; k < T; k++) mixed[r * T + k] = w * soft[i * T + k]!;
        mixed[r * T + targets[r]!]! += 1 - w;
      }
      y = tf.tensor2d(mixed.subarray(0, rows * T), [rows, T]);
    } else y = tf.tidy(() => tf.oneHot(tf.tensor1d(targets.subarray(0, rows), 'int32'), T));
    try {
      // the context vectors are computed inside, so that their encoder gets its gradient
      const loss = gradientStep(
        opt,
        vars,
        () =>
          tf.losses.softmaxCrossEntropy(
            y,
            parser.net.logits(f, context && parser.net.contextTable(context.sentences, context.layout)),
          ) as tf.Scalar,
      );
      return { loss, rows };
    } finally {
      tf.dispose([...Object.values(f), y]);
    }
  };
}
