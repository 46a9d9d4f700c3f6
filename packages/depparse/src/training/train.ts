// Training: examples (features, transition) from the static oracle over the training trees, or —
// with `exploreFrom` (arc-hybrid, arc-eager) — from the dynamic oracle while following the model's own
// predictions (Goldberg & Nivre 2013); softmax cross-entropy with dropout and L2; Adam by default,
// AdaGrad as in Chen & Manning as an option. The best epoch on the dev set is kept.
import {
  averager,
  bestWeights,
  cholesky,
  choleskySolve,
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
import { PrecomputedScorer } from '../fast-path/precompute.js';
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
import {
  type ContextLayout,
  contextLayout,
  DEFAULT_NET,
  featureTensors,
  type NetConfig,
} from '../model/model.js';
import { Parser, type Vocabularies } from '../model/parser.js';
import { normalizeWord, Vocabulary } from '../model/vocab.js';
import { type ConlluSentence, words } from '../text/conllu.js';
import { type Morphology, morphologyKey } from '../text/morphology.js';
import { dynamicOracle } from '../transitions/dynamic-oracle.js';
import { projectivize } from '../transitions/projectivize.js';
import { dependentOf } from '../transitions/transition-set.js';
import { Configuration, isProjective, SYSTEMS, type SystemName } from '../transitions/transitions.js';
import { namedOptimizer, type OptimizerFactory } from './optimizer.js';

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

/**
 * Word vectors from text (word2vec/GloVe: "word v1 ... vd" per line, an optional "count dim" header),
 * keyed by normalised form, in the file's order.
 */
export function parseWordVectors(text: string, dim?: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2 || parts[0] === '') return;
    if (i === 0 && parts.length === 2 && /^\d+$/.test(parts[0]!) && /^\d+$/.test(parts[1]!)) return;
    const v = Float32Array.from(parts.slice(1), Number);
    if (dim !== undefined && v.length !== dim)
      throw new Error(`word vectors line ${i + 1}: ${v.length} values, expected ${dim}`);
    if (v.some((x) => !Number.isFinite(x))) throw new Error(`word vectors line ${i + 1}: not a number`);
    // forms that normalise alike ("1990", "1991"): the first, most frequent in word2vec/GloVe order, wins
    const key = normalizeWord(parts[0]!);
    if (!out.has(key)) out.set(key, v);
  });
  return out;
}

interface TrainTree {
  words: ReturnType<typeof words>;
  heads: number[];
  labels: string[];
}

function trainingTrees(sentences: readonly ConlluSentence[], pseudoProjective: boolean): TrainTree[] {
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

function initialiseWords(parser: Parser, vectors: Map<string, Float32Array>, rms: number | null): number {
  const E = parser.net.wordEmbedding.weight;
  const dim = E.shape[1]!;
  const data = E.dataSync().slice() as Float32Array;
  if (rms !== null && !(rms > 0)) throw new RangeError(`pretrainedRms must be > 0 or null, got ${rms}`);
  let squares = 0;
  let count = 0;
  for (const v of vectors.values()) {
    if (v.length !== dim)
      throw new Error(`pretrained vectors have ${v.length} values, the model uses ${dim}`);
    for (const x of v) squares += x * x;
    count += v.length;
  }
  const scale = rms === null || squares === 0 ? 1 : rms / Math.sqrt(squares / count);
  let found = 0;
  parser.vocab.words.items.forEach((w, id) => {
    const v = vectors.get(w);
    if (!v) return;
    for (let j = 0; j < dim; j++) data[id * dim + j] = v[j]! * scale;
    found++;
  });
  const t = tf.tensor2d(data, [E.shape[0]!, dim]);
  E.assign(t);
  t.dispose();
  return found;
}

/**
 * Rows of words that training never saw become their pretrained vector times the linear map that
 * best takes pretrained vectors to trained rows (ridge least squares over the words seen at least
 * twice): the trained embedding drifts away from the pretrained space, and a map fitted on the words
 * both know carries the unseen ones along (Madhyastha et al. 2016 do this with a neural map).
 */
export function projectUnseenWords(parser: Parser, vectors: Map<string, Float32Array>): number {
  const E = parser.net.wordEmbedding.weight;
  const [V, d] = E.shape as [number, number];
  const { items, counts } = parser.vocab.words;
  const seen: number[] = [];
  const unseen: number[] = [];
  items.forEach((w, id) => {
    if (id < 3 || !vectors.has(w)) return;
    if (counts[id] === 0) unseen.push(id);
    else if (counts[id]! >= 2) seen.push(id);
  });
  if (unseen.length === 0 || seen.length < d) return 0;
  const p = vectors.get(items[seen[0]!]!)!.length;
  const data = E.dataSync().slice() as Float32Array;
  // normal equations (P'P + lambda I) A = P'E in float64
  const ptp = new Float64Array(p * p);
  const pte = new Float64Array(p * d);
  for (const id of seen) {
    const x = vectors.get(items[id]!)!;
    for (let i = 0; i < p; i++) {
      const xi = x[i]!;
      for (let j = 0; j < p; j++) ptp[i * p + j]! += xi * x[j]!;
      for (let j = 0; j < d; j++) pte[i * d + j]! += xi * data[id * d + j]!;
    }
  }
  let trace = 0;
  for (let i = 0; i < p; i++) trace += ptp[i * p + i]!;
  for (let i = 0; i < p; i++) ptp[i * p + i]! += (1e-3 * trace) / p;
  const A = choleskySolve(cholesky(ptp, p, "the pretrained vectors' Gram matrix"), pte, p, d);
  for (const id of unseen) {
    const x = vectors.get(items[id]!)!;
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let i = 0; i < p; i++) v += x[i]! * A[i * d + j]!;
      data[id * d + j] = v;
    }
  }
  const t = tf.tensor2d(data, [V, d]);
  E.assign(t);
  t.dispose();
  parser.invalidate();
  return unseen.length;
}

/** Throws unless `teacher` reads the student's features and predicts its transitions. */
function checkTeacher(teacher: Parser, student: Parser, i: number): void {
  const a = teacher.config;
  const b = student.config;
  const differs = (what: string, x: unknown, y: unknown) =>
    new Error(`teacher ${i}: ${what} ${JSON.stringify(x)} differs from the student's ${JSON.stringify(y)}`);
  if (a.system !== b.system) throw differs('system', a.system, b.system);
  if ((a.morphology ?? 'xpos') !== (b.morphology ?? 'xpos'))
    throw differs('morphology', a.morphology ?? 'xpos', b.morphology ?? 'xpos');
  if (Boolean(a.pseudoProjective) !== Boolean(b.pseudoProjective))
    throw differs('pseudoProjective', a.pseudoProjective, b.pseudoProjective);
  for (const kind of ['words', 'upos', 'xpos', 'labels'] as const) {
    const x = teacher.vocab[kind].items;
    const y = student.vocab[kind].items;
    if (x.length !== y.length || x.some((v, k) => v !== y[k]))
      throw new Error(
        `teacher ${i}: its ${kind} vocabulary (${x.length}) differs from the student's (${y.length}); ` +
          'train teachers and student on the same data with the same minWordCount, morphology and pretrained vocabulary',
      );
  }
}

/** The teachers' averaged softmax over transitions for every example, [count, T]. */
function teacherProbabilities(teachers: readonly Parser[], ex: Examples): Float32Array {
  const T = teachers[0]!.transitions.size;
  const out = new Float32Array(ex.count * T);
  const chunk = 4096;
  const share = 1 / teachers.length;
  for (const teacher of teachers) {
    // the precomputed scorer reads the weights only (no dropout), whatever the teacher's mode
    const precomputed = new PrecomputedScorer(teacher.net);
    const score = precomputed.scorer();
    try {
      for (let s = 0; s < ex.count; s += chunk) {
        const rows = Math.min(chunk, ex.count - s);
        const y = score(featureRows(ex.features, s, rows), rows);
        for (let r = 0; r < rows; r++) {
          let max = Number.NEGATIVE_INFINITY;
          for (let k = 0; k < T; k++) max = Math.max(max, y[r * T + k]!);
          let z = 0;
          for (let k = 0; k < T; k++) z += Math.exp(y[r * T + k]! - max);
          const o = (s + r) * T;
          for (let k = 0; k < T; k++) out[o + k]! += (share * Math.exp(y[r * T + k]! - max)) / z;
        }
      }
    } finally {
      precomputed.dispose();
    }
  }
  return out;
}

/** Shuffled batches of `size` example indices. */
function exampleBatches(count: number, size: number, rng: Rng): Int32Array[] {
  const order = rng.permutation(count);
  const out: Int32Array[] = [];
  for (let b = 0; b < count; b += size) out.push(order.subarray(b, b + size));
  return out;
}

/**
 * Batches of whole sentences' examples (a context encoder runs once per sentence of the batch):
 * sentences in shuffled order, taken until a batch has at least `size` examples.
 */
function sentenceBatches(ex: Examples, sentences: number, size: number, rng: Rng): Int32Array[] {
  const start = new Int32Array(sentences + 1);
  for (let i = 0; i < ex.count; i++) start[ex.sentences[i]! + 1]!++;
  for (let s = 0; s < sentences; s++) start[s + 1]! += start[s]!;
  const bySentence = new Int32Array(ex.count);
  const at = start.slice(0, sentences);
  for (let i = 0; i < ex.count; i++) bySentence[at[ex.sentences[i]!]!++] = i;
  const out: Int32Array[] = [];
  let current: number[] = [];
  for (const s of rng.permutation(sentences)) {
    for (let i = start[s]!; i < start[s + 1]!; i++) current.push(bySentence[i]!);
    if (current.length >= size) {
      out.push(Int32Array.from(current));
      current = [];
    }
  }
  if (current.length) out.push(Int32Array.from(current));
  return out;
}

/** Rows start..start+rows of feature buffers, as views. */
function featureRows(f: FeatureBuffers, start: number, rows: number): FeatureBuffers {
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

interface Examples {
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

function copyRow(
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

function staticExamples(parser: Parser, trees: readonly TrainTree[], ids: readonly SentenceIds[]): Examples {
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
function exploredExamples(
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
