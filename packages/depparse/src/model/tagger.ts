// A small window tagger for UPOS and XPOS (for plain-text input and the predicted-tag evaluation):
// embeddings of the words at i-2..i+2, and of the 3-letter suffixes and the capitalisation shapes at
// i-1..i+1, one ReLU hidden layer, and a softmax head per tag set.
import {
  adam,
  Dense,
  Dropout,
  Embedding,
  type GradientTransformation,
  gradientStep,
  Module,
  Optimizer,
  Rng,
  runTrainingLoop,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { type ConlluSentence, type ConlluWord, words } from '../text/conllu.js';
import { MORPHOLOGIES, type Morphology, morphologyKey, splitMorphologyKey } from '../text/morphology.js';
import { type InitialWeights, initializers } from './initial-weights.js';
import {
  JsonFields,
  MAX_MODEL_DIM,
  MAX_VOCABULARY,
  type ModelFileNames,
  type ModelFiles,
  readModelFiles,
  readVocabularies,
  writeModelFiles,
} from './model-files.js';
import { normalizeWord, Vocabulary } from './vocab.js';

const WORD_WINDOW = 2;
const AFFIX_WINDOW = 1;
const W = 2 * WORD_WINDOW + 1;
const A = 2 * AFFIX_WINDOW + 1;

export interface TaggerConfig {
  wordDim: number;
  suffixDim: number;
  shapeDim: number;
  hidden: number;
  dropout: number;
  words: number;
  suffixes: number;
  upos: number;
  xpos: number;
  /** What the XPOS head predicts: XPOS (default), or XPOS and FEATS as one tag ('xpos+feats'). */
  morphology?: Morphology;
}

function shape(form: string): string {
  if (/^[0-9.,:\-/]+$/.test(form) && /[0-9]/.test(form)) return 'num';
  if (/^[A-Z]+$/.test(form) && form.length > 1) return 'UPPER';
  if (/^[A-Z]/.test(form)) return 'Title';
  if (/^[a-z]/.test(form)) return form.includes('-') ? 'lower-' : 'lower';
  if (/^[^A-Za-z0-9]+$/.test(form)) return 'punct';
  return 'other';
}
const SHAPES = new Vocabulary(['num', 'UPPER', 'Title', 'lower', 'lower-', 'punct', 'other']);
const suffix = (form: string) => form.toLowerCase().slice(-3);

class TaggerNet extends Module {
  readonly words: Embedding;
  readonly suffixes: Embedding;
  readonly shapes: Embedding;
  readonly hidden: Dense;
  readonly upos: Dense;
  readonly xpos: Dense;
  readonly drop: Dropout;
  constructor(
    readonly config: TaggerConfig,
    rng: Rng,
    { weights = 'random' }: { weights?: InitialWeights } = {},
  ) {
    super('tagger');
    const inits = initializers(weights);
    const init = inits.embedding(0.1);
    this.words = this.addModule('words', new Embedding(config.words, config.wordDim, { rng, init }));
    this.suffixes = this.addModule(
      'suffixes',
      new Embedding(config.suffixes, config.suffixDim, { rng, init }),
    );
    this.shapes = this.addModule('shapes', new Embedding(SHAPES.size, config.shapeDim, { rng, init }));
    const inF = W * config.wordDim + A * (config.suffixDim + config.shapeDim);
    this.hidden = this.addModule('hidden', new Dense(inF, config.hidden, { rng, ...inits.dense() }));
    this.upos = this.addModule('upos', new Dense(config.hidden, config.upos, { rng, ...inits.dense() }));
    this.xpos = this.addModule('xpos', new Dense(config.hidden, config.xpos, { rng, ...inits.dense() }));
    this.drop = this.addModule('dropout', new Dropout(config.dropout, { rng }));
  }
  logits(w: tf.Tensor, s: tf.Tensor, c: tf.Tensor): { upos: tf.Tensor2D; xpos: tf.Tensor2D } {
    return tf.tidy(() => {
      const n = w.shape[0]!;
      const x = tf.concat(
        [
          tf.reshape(this.words.forward(w), [n, -1]),
          tf.reshape(this.suffixes.forward(s), [n, -1]),
          tf.reshape(this.shapes.forward(c), [n, -1]),
        ],
        1,
      );
      const h = this.drop.forward(tf.relu(this.hidden.forward(x)));
      return { upos: this.upos.forward(h) as tf.Tensor2D, xpos: this.xpos.forward(h) as tf.Tensor2D };
    });
  }
  forward(): tf.Tensor {
    throw new Error('TaggerNet: call logits()');
  }
}

/** The files of a tagger in a model directory (the one place that names them). */
export const TAGGER_FILES: Readonly<ModelFileNames> = {
  weights: 'tagger.safetensors',
  vocab: 'tagger-vocab.json',
  config: 'tagger-config.json',
};
const TAGGER_KIND = { kind: 'depparse.tagger', version: 1 };

/**
 * A tagger's config (parsed JSON: the weights file's header config, or tagger-config.json of older
 * models) as a TaggerConfig, or a ModelFileError naming `file` and the field (under `path`).
 */
export function readTaggerConfig(json: unknown, file = 'tagger-config.json', path = ''): TaggerConfig {
  const c = JsonFields.of(file, path, json);
  c.only([
    'wordDim',
    'suffixDim',
    'shapeDim',
    'hidden',
    'dropout',
    'morphology',
    'words',
    'suffixes',
    'upos',
    'xpos',
  ]);
  const morphology = c.has('morphology') ? c.choice('morphology', MORPHOLOGIES) : undefined;
  return {
    wordDim: c.int('wordDim', 1, MAX_MODEL_DIM),
    suffixDim: c.int('suffixDim', 1, MAX_MODEL_DIM),
    shapeDim: c.int('shapeDim', 1, MAX_MODEL_DIM),
    hidden: c.int('hidden', 1, MAX_MODEL_DIM),
    dropout: c.fraction('dropout'),
    ...(morphology ? { morphology } : {}),
    words: c.int('words', 3, MAX_VOCABULARY),
    suffixes: c.int('suffixes', 3, MAX_VOCABULARY),
    // a tag set beyond the reserved ids: prediction never picks those
    upos: c.int('upos', 4, MAX_VOCABULARY),
    xpos: c.int('xpos', 4, MAX_VOCABULARY),
  };
}

/** The name and shape of every tensor of a tagger of config `c` (see parserTensorShapes). */
export function taggerTensorShapes(c: TaggerConfig): Map<string, number[]> {
  return new Map([
    ['words.weight', [c.words, c.wordDim]],
    ['suffixes.weight', [c.suffixes, c.suffixDim]],
    ['shapes.weight', [SHAPES.size, c.shapeDim]],
    ['hidden.weight', [W * c.wordDim + A * (c.suffixDim + c.shapeDim), c.hidden]],
    ['hidden.bias', [c.hidden]],
    ['upos.weight', [c.hidden, c.upos]],
    ['upos.bias', [c.upos]],
    ['xpos.weight', [c.hidden, c.xpos]],
    ['xpos.bias', [c.xpos]],
  ]);
}

export interface TaggerVocab {
  words: Vocabulary;
  suffixes: Vocabulary;
  upos: Vocabulary;
  xpos: Vocabulary;
}

export class Tagger {
  constructor(
    readonly net: TaggerNet,
    readonly vocab: TaggerVocab,
  ) {}

  /** Window features of every token of the sentences (rows in order); word dropout when training. */
  features(sentences: readonly (readonly ConlluWord[])[], dropout?: { rng: Rng; alpha: number }) {
    const total = sentences.reduce((a, s) => a + s.length, 0);
    const w = new Int32Array(total * W);
    const s = new Int32Array(total * A);
    const c = new Int32Array(total * A);
    let row = 0;
    for (const ws of sentences) {
      const ids = ws.map((x) => {
        let id = this.vocab.words.id(normalizeWord(x.form));
        if (dropout && id > 2) {
          const count = this.vocab.words.counts[id]!;
          if (dropout.rng.next() < dropout.alpha / (dropout.alpha + count)) id = 1;
        }
        return id;
      });
      const suf = ws.map((x) => this.vocab.suffixes.id(suffix(x.form)));
      const shp = ws.map((x) => SHAPES.id(shape(x.form)));
      for (let i = 0; i < ws.length; i++, row++) {
        for (let k = -WORD_WINDOW; k <= WORD_WINDOW; k++) {
          const j = i + k;
          w[row * W + k + WORD_WINDOW] = j < 0 || j >= ws.length ? 2 : ids[j]!; // ROOT id marks the edges
        }
        for (let k = -AFFIX_WINDOW; k <= AFFIX_WINDOW; k++) {
          const j = i + k;
          s[row * A + k + AFFIX_WINDOW] = j < 0 || j >= ws.length ? 2 : suf[j]!;
          c[row * A + k + AFFIX_WINDOW] = j < 0 || j >= ws.length ? 2 : shp[j]!;
        }
      }
    }
    return { w, s, c, total };
  }

  /**
   * Copies of the sentences with UPOS and XPOS (and FEATS, with morphology 'xpos+feats') predicted.
   * `fill: 'missing'` keeps every tag the input gives and predicts only the "_" ones (a predicted
   * FEATS goes with a predicted XPOS only where FEATS is "_" too); the default replaces them all.
   */
  tag(
    sentences: readonly ConlluSentence[],
    { fill = 'all' }: { fill?: 'all' | 'missing' } = {},
  ): ConlluSentence[] {
    const ws = sentences.map((s) => words(s));
    const { upos, xpos } = this.predict(ws);
    const withFeats = this.net.config.morphology === 'xpos+feats';
    const all = fill === 'all';
    let k = 0;
    return sentences.map((s) => ({
      ...s,
      rows: s.rows.map((r) => {
        if (r.kind !== 'word') return { ...r };
        const u = upos[k]!;
        const x = xpos[k++]!;
        const out = { ...r };
        if (all || r.upos === '_') out.upos = u;
        if (all || r.xpos === '_') {
          const m = withFeats ? splitMorphologyKey(x) : { xpos: x, feats: r.feats };
          out.xpos = m.xpos;
          if (all || r.feats === '_') out.feats = m.feats;
        }
        return out;
      }),
    }));
  }

  predict(sentences: readonly (readonly ConlluWord[])[]): { upos: string[]; xpos: string[] } {
    const wasTraining = this.net.training;
    this.net.eval();
    const f = this.features(sentences);
    const upos: string[] = [];
    const xpos: string[] = [];
    const chunk = 4096;
    for (let r = 0; r < f.total; r += chunk) {
      const n = Math.min(chunk, f.total - r);
      const out = tf.tidy(() => {
        const l = this.net.logits(
          tf.tensor2d(f.w.subarray(r * W, (r + n) * W), [n, W], 'int32'),
          tf.tensor2d(f.s.subarray(r * A, (r + n) * A), [n, A], 'int32'),
          tf.tensor2d(f.c.subarray(r * A, (r + n) * A), [n, A], 'int32'),
        );
        // never predict the reserved <null>/<unk>/<root> classes
        const mask = (k: number) => tf.concat([tf.fill([1, 3], -1e9), tf.zeros([1, k - 3])], 1);
        return [
          tf.argMax(tf.add(l.upos, mask(l.upos.shape[1])), 1),
          tf.argMax(tf.add(l.xpos, mask(l.xpos.shape[1])), 1),
        ];
      });
      const u = out[0]!.dataSync();
      const x = out[1]!.dataSync();
      tf.dispose(out);
      for (let i = 0; i < n; i++) {
        upos.push(this.vocab.upos.items[u[i]!]!);
        xpos.push(this.vocab.xpos.items[x[i]!]!);
      }
    }
    this.net.train(wasTraining);
    return { upos, xpos };
  }

  /** Model files (named by TAGGER_FILES): weights with the config in their header, and the vocabularies; `half` stores float16 weights. */
  toFiles({ half = false }: { half?: boolean } = {}): { weights: Uint8Array; vocab: string } {
    const vocab = Object.fromEntries(Object.entries(this.vocab).map(([k, v]) => [k, v.toJSON()]));
    return writeModelFiles(this.net, this.net.config, vocab, TAGGER_KIND, { half });
  }

  /**
   * A tagger from its model files, checked as Parser.fromFiles checks a parser's (ModelFileErrors
   * naming the file and field; `files.config` for taggers from before the weights file's header).
   */
  static fromFiles(files: ModelFiles, names: Partial<ModelFileNames> = {}): Tagger {
    const { vocab, module } = readModelFiles(
      files,
      { ...TAGGER_FILES, ...names },
      {
        kind: TAGGER_KIND,
        readConfig: readTaggerConfig,
        readVocab: (json, file, config, configAt) => {
          const from = (field: 'words' | 'suffixes' | 'upos' | 'xpos') => ({
            size: config[field],
            from: `${configAt.file} ${configAt.path ? `${configAt.path}.${field}` : field}`,
          });
          return readVocabularies(json, file, {
            words: from('words'),
            suffixes: from('suffixes'),
            upos: from('upos'),
            xpos: from('xpos'),
          });
        },
        shapes: taggerTensorShapes,
        build: (config) => new TaggerNet(config, new Rng(0), { weights: 'placeholder' }),
      },
    );
    return new Tagger(module, vocab);
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** Share of words whose UPOS, XPOS and FEATS match the gold sentences. */
export function tagAccuracy(gold: readonly ConlluSentence[], system: readonly ConlluSentence[]) {
  let n = 0;
  let u = 0;
  let x = 0;
  let f = 0;
  gold.forEach((g, i) => {
    const gw = words(g);
    const sw = words(system[i]!);
    gw.forEach((w, j) => {
      n++;
      if (w.upos === sw[j]!.upos) u++;
      if (w.xpos === sw[j]!.xpos) x++;
      if (w.feats === sw[j]!.feats) f++;
    });
  });
  return { upos: n ? u / n : 0, xpos: n ? x / n : 0, feats: n ? f / n : 0 };
}

export interface TrainTaggerOptions {
  epochs?: number;
  batchSize?: number;
  /** The update rule. Default Adam at 1e-3. */
  optimizer?: GradientTransformation<any>;
  seed?: number;
  config?: Partial<
    Pick<TaggerConfig, 'wordDim' | 'suffixDim' | 'shapeDim' | 'hidden' | 'dropout' | 'morphology'>
  >;
  onEpoch?: (e: { epoch: number; loss: number; seconds: number }) => void;
}

export function trainTagger(
  train: readonly ConlluSentence[],
  { epochs = 4, batchSize = 256, optimizer, seed = 0, config = {}, onEpoch }: TrainTaggerOptions = {},
): Tagger {
  if (!(Number.isInteger(epochs) && epochs >= 0))
    throw new RangeError(`tagger epochs must be a whole number >= 0, got ${epochs}`);
  const rng = new Rng(seed);
  const ws = train.map((s) => words(s));
  const all = ws.flat();
  const vocab: TaggerVocab = {
    words: Vocabulary.build(
      all.map((w) => normalizeWord(w.form)),
      2,
    ),
    suffixes: Vocabulary.build(
      all.map((w) => suffix(w.form)),
      2,
    ),
    upos: Vocabulary.build(all.map((w) => w.upos)),
    xpos: Vocabulary.build(all.map((w) => morphologyKey(w, config.morphology))),
  };
  const net = new TaggerNet(
    {
      wordDim: 64,
      suffixDim: 24,
      shapeDim: 8,
      hidden: 256,
      dropout: 0.3,
      ...config,
      words: vocab.words.size,
      suffixes: vocab.suffixes.size,
      upos: vocab.upos.size,
      xpos: vocab.xpos.size,
    },
    rng,
  );
  const tagger = new Tagger(net, vocab);
  const uposIds = Int32Array.from(all, (w) => vocab.upos.id(w.upos));
  const xposIds = Int32Array.from(all, (w) => vocab.xpos.id(morphologyKey(w, config.morphology)));
  const vars = net.trainableParameters();
  const opt = new Optimizer(optimizer ?? adam(1e-3), vars);
  // each epoch's word dropout and order are drawn when it starts
  let f: ReturnType<Tagger['features']> | undefined;
  let order: Int32Array = new Int32Array(0);
  const step = (b: number): { loss: number; rows: number } => {
    const idx = order.subarray(b * batchSize, Math.min(f!.total, (b + 1) * batchSize));
    const n = idx.length;
    const pick = (src: Int32Array, width: number) => {
      const out = new Int32Array(n * width);
      idx.forEach((r, i) => {
        out.set(src.subarray(r * width, (r + 1) * width), i * width);
      });
      return tf.tensor2d(out, [n, width], 'int32');
    };
    const oneHot = (ids: Int32Array, size: number) =>
      tf.tidy(() =>
        tf.oneHot(
          tf.tensor1d(
            Array.from(idx, (r) => ids[r]!),
            'int32',
          ),
          size,
        ),
      );
    const tw = pick(f!.w, W);
    const ts = pick(f!.s, A);
    const tc = pick(f!.c, A);
    const yu = oneHot(uposIds, vocab.upos.size);
    const yx = oneHot(xposIds, vocab.xpos.size);
    try {
      const loss = gradientStep(opt, vars, () => {
        const l = net.logits(tw, ts, tc);
        return tf.add(
          tf.losses.softmaxCrossEntropy(yu, l.upos),
          tf.losses.softmaxCrossEntropy(yx, l.xpos),
        ) as tf.Scalar;
      });
      return { loss, rows: n };
    } finally {
      tf.dispose([tw, ts, tc, yu, yx]);
    }
  };
  try {
    runTrainingLoop({
      epochs,
      stepsPerEpoch: () => {
        f = tagger.features(ws, { rng, alpha: 0.25 });
        order = rng.permutation(f.total);
        return Math.ceil(f.total / batchSize);
      },
      trainStep: (_, { stepInEpoch }) => {
        const { loss, rows } = step(stepInEpoch);
        return { loss, summedLoss: loss * rows };
      },
      onEpoch: (e) =>
        onEpoch?.({
          epoch: e.epoch + 1,
          loss: (e.sums.summedLoss ?? 0) / f!.total,
          seconds: e.ms / 1000,
        }),
    });
  } catch (e) {
    tagger.dispose();
    throw e;
  } finally {
    opt.dispose();
  }
  return tagger;
}
