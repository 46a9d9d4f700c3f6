// A trained parser: vocabularies, transition set and network, greedy batched parsing of many
// sentences at once, and model files (safetensors weights with the config in the header + vocab.json).
import { Dense, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BeamModel,
  type BeamScoring,
  beamSearch,
  checkBeamWidth,
  distinctMoves,
  forcedTransition,
  MAX_BEAM_ROWS,
} from '../beam/beam-search.js';
import { readStructuredFile, type StructuredOutput, writeStructuredFile } from '../beam/structured-output.js';
import { PrecomputedScorer } from '../fast-path/precompute.js';
import { type ConlluSentence, type ConlluWord, words } from '../text/conllu.js';
import { type Morphology, morphologyKey } from '../text/morphology.js';
import { deprojectivize } from '../transitions/projectivize.js';
import { dependentOf, TransitionSet } from '../transitions/transition-set.js';
import {
  Configuration,
  finalize,
  SYSTEMS,
  type SystemName,
  type Transition,
} from '../transitions/transitions.js';
import { extractFeatures, type FeatureBuffers, featureBuffers, type SentenceIds } from './features.js';
import {
  type ContextLayout,
  contextLayout,
  featureTensors,
  type NetConfig,
  ParserNet,
  parserTensorShapes,
} from './model.js';
import {
  ModelFileError,
  type ModelFileNames,
  type ModelFiles,
  readModelFiles,
  readVocabularies,
  writeModelFiles,
} from './model-files.js';
import { readParserConfig } from './parser-config.js';
import { normalizeWord, UNK_ID, type Vocabulary } from './vocab.js';

export interface ParserConfig {
  system: SystemName;
  /** Labels were trained in the pseudo-projective Head encoding ("label|headLabel"). */
  pseudoProjective: boolean;
  /**
   * What the XPOS embedding reads: the XPOS tag alone (default; models before this option), or XPOS
   * and FEATS together as one tag ('xpos+feats': gold or tagger-predicted morphology).
   */
  morphology?: Morphology;
  net: NetConfig;
}

export interface Vocabularies {
  words: Vocabulary;
  upos: Vocabulary;
  xpos: Vocabulary;
  labels: Vocabulary;
}

export interface ParseOptions {
  /** Sentences parsed side by side (one network call per step for all of them). Default 256. */
  batchSize?: number;
  /** Score with the precomputed first layer (fast, default) or the plain network. */
  precompute?: boolean;
  /** Called after each batch with the sentences parsed so far and the total (for progress lines). */
  onBatch?: (done: number, total: number) => void;
  /** Beam width: 1 (default) parses greedily, more keeps that many transition sequences per sentence. */
  beam?: number;
}

/**
 * Scores transitions for `rows` feature rows: returns row-major [rows, transitions]. `slots[r]` is
 * row r's sentence in the batch the scorer was made for (read by nets with a context encoder).
 */
export type Scorer = (
  f: ReturnType<typeof featureBuffers>,
  rows: number,
  slots?: ArrayLike<number>,
) => Float32Array;

export class Parser {
  readonly transitions: TransitionSet;
  private precomputed?: PrecomputedScorer;
  /**
   * Structured beam scoring (beam/structured-output.ts): with it, a beam (width > 1) ranks sequences
   * by the sum of its output layer's raw scores over the net's last hidden activation; greedy parsing
   * keeps the net's own output layer.
   */
  private structured?: StructuredOutput;
  private structuredPrecomputed?: PrecomputedScorer;
  /** A residual structured layer side by side with the net's: [hidden, 2 x transitions]. */
  private structuredBoth?: Dense;

  constructor(
    readonly config: ParserConfig,
    readonly vocab: Vocabularies,
    readonly net: ParserNet,
  ) {
    this.transitions = new TransitionSet(config.system, vocab.labels.items.slice(3));
    if (this.transitions.size !== config.net.transitions)
      throw new Error(
        `the net has ${config.net.transitions} outputs but the labels give ${this.transitions.size}`,
      );
  }

  static create(
    config: Omit<ParserConfig, 'net'> & {
      net: Omit<NetConfig, 'words' | 'upos' | 'xpos' | 'labels' | 'transitions'>;
    },
    vocab: Vocabularies,
    rng = new Rng(0),
  ): Parser {
    const transitions = new TransitionSet(config.system, vocab.labels.items.slice(3));
    const net: NetConfig = {
      ...config.net,
      words: vocab.words.size,
      upos: vocab.upos.size,
      xpos: vocab.xpos.size,
      labels: vocab.labels.size,
      transitions: transitions.size,
    };
    return new Parser({ ...config, net }, vocab, new ParserNet(net, rng));
  }

  /** Token ids of a sentence (index 0 = root); `wordDropout` replaces rare words by UNK (training). */
  encode(ws: readonly ConlluWord[], wordDropout?: { rng: Rng; alpha: number }): SentenceIds {
    const n = ws.length;
    const ids: SentenceIds = {
      words: new Int32Array(n + 1),
      upos: new Int32Array(n + 1),
      xpos: new Int32Array(n + 1),
    };
    ws.forEach((w, i) => {
      let id = this.vocab.words.id(normalizeWord(w.form));
      if (wordDropout && id !== UNK_ID) {
        const count = this.vocab.words.counts[id]!;
        if (wordDropout.rng.next() < wordDropout.alpha / (wordDropout.alpha + count)) id = UNK_ID;
      }
      ids.words[i + 1] = id;
      ids.upos[i + 1] = this.vocab.upos.id(w.upos);
      ids.xpos[i + 1] = this.vocab.xpos.id(morphologyKey(w, this.config.morphology));
    });
    return ids;
  }

  /**
   * The plain network as a scorer (training-time path; also the reference for the precomputed one).
   * A net with a context encoder needs the batch of sentences it scores; `dispose()` frees their
   * context vectors.
   */
  networkScorer(batch?: readonly SentenceIds[], net: ParserNet = this.net): Scorer & { dispose(): void } {
    let context: { table: tf.Tensor2D; layout: ContextLayout } | undefined;
    if (this.net.config.context) {
      if (!batch) throw new Error('a parser with a context encoder scores a given batch of sentences');
      const layout = contextLayout(batch, this.net.config);
      context = { table: this.net.contextTable(batch, layout), layout };
    }
    const score = (f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array => {
      if (context && !slots)
        throw new Error("a parser with a context encoder needs the rows' sentence slots");
      // read outside tidy: a returned typed array would be walked element by element
      const logits = tf.tidy(() => {
        const f2 = featureTensors(f, rows, context && slots ? { layout: context.layout, slots } : undefined);
        return net.logits(f2, context?.table);
      });
      const data = logits.dataSync() as Float32Array;
      logits.dispose();
      return data;
    };
    return Object.assign(score, {
      dispose: () => {
        if (context) context.table.dispose();
      },
    });
  }

  /** Heads and labels for many sentences, greedily, batch by batch. */
  parseTrees(
    sentences: readonly (readonly ConlluWord[])[],
    { batchSize = 256, precompute = true, onBatch, beam = 1 }: ParseOptions = {},
  ): { heads: Int32Array; labels: string[] }[] {
    checkBeamWidth(beam);
    const wasTraining = this.net.training;
    this.net.eval();
    // a net with a context encoder gets a scorer per batch (its context vectors are the batch's)
    const context = this.net.config.context !== undefined;
    const structured = beam > 1 && this.structured !== undefined;
    const net = structured ? this.structuredNet() : this.net;
    let precomputed: PrecomputedScorer | undefined;
    if (precompute && structured) precomputed = this.structuredPrecomputed ??= new PrecomputedScorer(net);
    else if (precompute) precomputed = this.precomputed ??= new PrecomputedScorer(this.net);
    let scorer: Scorer | undefined;
    if (!context) scorer = precomputed ? precomputed.scorer() : this.networkScorer(undefined, net);
    const out: { heads: Int32Array; labels: string[] }[] = new Array(sentences.length);
    try {
      // a beam scores `beam` rows per sentence: fewer sentences side by side keep the rows bounded
      const step = beam > 1 ? Math.max(1, Math.min(batchSize, Math.floor(MAX_BEAM_ROWS / beam))) : batchSize;
      for (let s = 0; s < sentences.length; s += step) {
        const part = sentences.slice(s, s + step);
        const encoded = part.map((ws) => this.encode(ws));
        const batchScorer = context && !precompute ? this.networkScorer(encoded, net) : undefined;
        try {
          const batchScore = scorer ?? batchScorer ?? precomputed!.scorer(encoded);
          const trees =
            beam > 1
              ? this.beamParseBatch(encoded, batchScore, beam, this.beamScoring(structured))
              : this.parseBatch(encoded, batchScore);
          trees.forEach((t, i) => {
            out[s + i] = t;
          });
        } finally {
          batchScorer?.dispose();
        }
        onBatch?.(s + part.length, sentences.length);
      }
    } finally {
      this.net.train(wasTraining);
    }
    return out;
  }

  /** Greedy parsing of encoded sentences side by side; always returns single-rooted trees. */
  parseBatch(batch: readonly SentenceIds[], scorer: Scorer): { heads: Int32Array; labels: string[] }[] {
    const system = SYSTEMS[this.config.system];
    const T = this.transitions.size;
    const configs = batch.map((ids) => new Configuration(ids.words.length - 1));
    const labelIds = batch.map((ids) => new Int32Array(ids.words.length));
    const buffers = featureBuffers(batch.length);
    // One transition of each move: when only one move is legal and it carries no label (shift, or
    // arc-eager's reduce), it is the parser's choice whatever the scores, so it is applied unscored
    // (in arc-hybrid every shift onto a stack holding only the root: 8% of the transitions on EWT test).
    const moves = distinctMoves(this.transitions.items);
    const forced = (c: Configuration): Transition | null => forcedTransition(system, moves, c);
    // sentences still being parsed; finished ones drop out after their forced moves
    const active = batch.map((_, i) => i);
    for (;;) {
      let kept = 0;
      for (const i of active) {
        const c = configs[i]!;
        for (let t = forced(c); t; t = system.isTerminal(c) ? null : forced(c)) system.apply(c, t);
        if (!system.isTerminal(c)) active[kept++] = i;
      }
      active.length = kept;
      if (kept === 0) break;
      active.forEach((i, row) => {
        extractFeatures(configs[i]!, batch[i]!, labelIds[i]!, buffers, row);
      });
      const scores = scorer(buffers, active.length, active);
      for (let row = 0; row < active.length; row++) {
        const i = active[row]!;
        const c = configs[i]!;
        // the best-scoring transition is nearly always legal: check it alone first
        const base = row * T;
        let best = 0;
        for (let k = 1; k < T; k++) if (scores[base + k]! > scores[base + best]!) best = k;
        if (!system.isLegal(c, this.transitions.items[best]!)) {
          best = -1;
          let bestScore = Number.NEGATIVE_INFINITY;
          for (let k = 0; k < T; k++) {
            const v = scores[base + k]!;
            if (v > bestScore && system.isLegal(c, this.transitions.items[k]!)) {
              best = k;
              bestScore = v;
            }
          }
        }
        if (best < 0) throw new Error(`${system.name}: no legal transition (parser state is inconsistent)`);
        const t = this.transitions.items[best]!;
        const d = dependentOf(system, c, t);
        system.apply(c, t);
        if (d > 0) labelIds[i]![d] = this.vocab.labels.id(t.label!);
      }
    }
    return configs.map((c) => this.treeOf(c));
  }

  /**
   * Beam search over encoded sentences side by side (see beam/beam-search.ts): the best-scoring
   * complete transition sequence within `width` per sentence; width 1 gives parseBatch's trees.
   */
  beamParseBatch(
    batch: readonly SentenceIds[],
    scorer: Scorer,
    width: number,
    scores: BeamScoring = 'local',
  ): { heads: Int32Array; labels: string[]; score: number }[] {
    return beamSearch(this.beamModel(), batch, scorer, width, { scores }).map((beam) => ({
      ...this.treeOf(beam[0]!.config),
      score: beam[0]!.score,
    }));
  }

  /** What beam search needs of the parser: its system, output classes and their labels' ids. */
  beamModel(): BeamModel {
    const labelIds = Int32Array.from(this.transitions.items, (t) =>
      t.label === undefined ? -1 : this.vocab.labels.id(t.label),
    );
    return { system: SYSTEMS[this.config.system], transitions: this.transitions.items, labelIds };
  }

  /** A final configuration as a tree: unattached words attached, pseudo-projective labels decoded. */
  private treeOf(c: Configuration): { heads: Int32Array; labels: string[] } {
    finalize(c, this.rootLabel());
    let heads = c.heads;
    let labels = c.labels;
    if (this.config.pseudoProjective) {
      const d = deprojectivize(heads, labels);
      heads = Int32Array.from(d.heads);
      labels = d.labels;
    }
    return { heads, labels };
  }

  private rootLabel(): string {
    return this.vocab.labels.has('root') ? 'root' : (this.vocab.labels.items[3] ?? 'root');
  }

  /** Parses CoNLL-U sentences: copies with HEAD and DEPREL filled in (other columns kept). */
  parse(sentences: readonly ConlluSentence[], options: ParseOptions = {}): ConlluSentence[] {
    const trees = this.parseTrees(
      sentences.map((s) => words(s)),
      options,
    );
    return sentences.map((s, i) => {
      const { heads, labels } = trees[i]!;
      let k = 0;
      const rows = s.rows.map((r) => {
        if (r.kind !== 'word') return { ...r };
        k++;
        return { ...r, head: heads[k]!, headText: String(heads[k]), deprel: labels[k]! };
      });
      return { ...s, rows };
    });
  }

  /** Drops the precomputed tables (after the weights change). */
  invalidate(): void {
    this.precomputed?.dispose();
    this.precomputed = undefined;
    this.structuredPrecomputed?.dispose();
    this.structuredPrecomputed = undefined;
    this.structuredBoth?.dispose();
    this.structuredBoth = undefined;
  }

  /** The structured beam scorer's weights, if any (see `structured`). */
  get structuredOutput(): StructuredOutput | undefined {
    return this.structured;
  }

  /**
   * Sets (or, with undefined, removes) the structured output layer beam parsing scores with; the
   * parser owns it from here (disposes it with itself or when replaced).
   */
  setStructured(s: StructuredOutput | undefined): void {
    if (s) {
      const hidden = this.net.config.hidden.at(-1)!;
      if (s.config.hidden !== hidden || s.config.transitions !== this.transitions.size)
        throw new RangeError(
          `a structured output of ${s.config.hidden} x ${s.config.transitions} for a net of ${hidden} x ${this.transitions.size}`,
        );
    }
    if (this.structured !== s) this.structured?.dispose();
    this.structured = s;
    this.structuredPrecomputed?.dispose();
    this.structuredPrecomputed = undefined;
    this.structuredBoth?.dispose();
    this.structuredBoth = undefined;
  }

  /** How a beam scores: locally, or with the structured layer (raw, or residual on the net's). */
  private beamScoring(structured: boolean): BeamScoring {
    if (!structured) return 'local';
    return this.structured!.config.residual ? 'residual' : 'global';
  }

  /**
   * The net with its output layer swapped for the structured one: an object whose prototype is the
   * net (every other layer shared, nothing copied), so the kernel and tfjs scorers run it as they are.
   */
  private structuredNet(): ParserNet {
    const s = this.structured!;
    let output = s.output;
    if (s.config.residual) {
      // the net's logits and the perceptron's scores side by side: one layer, rows 2T wide
      if (!this.structuredBoth) {
        const [h, T] = this.net.output.weight.shape as [number, number];
        const both = new Dense(h, 2 * T, { name: 'output' });
        tf.tidy(() => {
          both.weight.assign(tf.concat([this.net.output.weight, s.output.weight], 1));
          both.bias!.assign(tf.concat([this.net.output.bias!, s.output.bias!]));
        });
        this.structuredBoth = both;
      }
      output = this.structuredBoth;
    }
    return Object.create(this.net, { output: { value: output } }) as ParserNet;
  }

  /**
   * Model files (named by PARSER_FILES): the safetensors weights with the config in their header, and
   * the vocabularies as JSON. `half` stores the weights as float16 (half the size; loading widens them
   * back to float32); `metadata` adds provenance strings to the weights file.
   */
  toFiles({ metadata = {}, half = false }: { metadata?: Record<string, string>; half?: boolean } = {}): {
    weights: Uint8Array;
    vocab: string;
    structured?: Uint8Array;
  } {
    const { words, upos, xpos, labels } = this.vocab;
    const vocab = {
      words: words.toJSON(),
      upos: upos.toJSON(),
      xpos: xpos.toJSON(),
      labels: labels.toJSON(),
    };
    const files = writeModelFiles(this.net, this.config, vocab, PARSER_KIND, { metadata, half });
    if (!this.structured) return files;
    return { ...files, structured: writeStructuredFile(this.structured, { half, metadata }) };
  }

  /**
   * A parser from its model files, checked before anything is built: the config's schema (from the
   * weights file's header, or from `files.config` for models from before the header, such as the
   * shipped one), the vocabularies' sizes against the net's, the tensors' names and shapes against the
   * config, and finite weights. Problems are ModelFileErrors naming the file (`names`, default
   * PARSER_FILES) and the field.
   */
  static fromFiles(files: ModelFiles, names: Partial<ModelFileNames> = {}): Parser {
    const all = { ...PARSER_FILES, ...names };
    const { config, vocab, module } = readModelFiles(files, all, {
      kind: PARSER_KIND,
      readConfig: readParserConfig,
      readVocab: readParserVocab,
      shapes: (c) => parserTensorShapes(c.net),
      build: (c) => new ParserNet(c.net, undefined, { weights: 'placeholder' }),
    });
    const parser = new Parser(config, vocab, module);
    if (files.structured === undefined) return parser;
    try {
      parser.setStructured(
        readStructuredFile(files.structured, all.structured ?? 'structured.safetensors', {
          hidden: config.net.hidden.at(-1)!,
          transitions: config.net.transitions,
        }),
      );
    } catch (e) {
      parser.dispose();
      throw e;
    }
    return parser;
  }

  dispose(): void {
    this.invalidate();
    this.structuredBoth?.dispose();
    this.structuredBoth = undefined;
    this.structured?.dispose();
    this.structured = undefined;
    this.net.dispose();
  }
}

/** The files of a parser model directory (the one place that names them). */
export const PARSER_FILES: Readonly<ModelFileNames> = {
  weights: 'weights.safetensors',
  vocab: 'vocab.json',
  config: 'config.json',
  structured: 'structured.safetensors',
};
/** @deprecated the file names of any model: ModelFileNames. */
export type ParserFileNames = ModelFileNames;

const PARSER_KIND = { kind: 'depparse.parser', version: 1 };

/** A parser's vocabularies (parsed JSON), their sizes checked against the config at `configAt`. */
function readParserVocab(
  json: unknown,
  file: string,
  config: ParserConfig,
  configAt: { file: string; path: string },
): Vocabularies {
  const { net } = config;
  const at = (field: string) => (configAt.path ? `${configAt.path}.net.${field}` : `net.${field}`);
  const from = (field: 'words' | 'upos' | 'xpos' | 'labels') => ({
    size: net[field],
    from: `${configAt.file} ${at(field)}`,
  });
  const vocab = readVocabularies(json, file, {
    words: from('words'),
    upos: from('upos'),
    xpos: from('xpos'),
    labels: from('labels'),
  });
  const transitions = new TransitionSet(config.system, vocab.labels.items.slice(3)).size;
  if (transitions !== net.transitions)
    throw new ModelFileError(
      at('transitions'),
      `is ${net.transitions}, but ${config.system} with the ${vocab.labels.size - 3} labels of ${file} has ${transitions}`,
      { file: configAt.file },
    );
  return vocab;
}
