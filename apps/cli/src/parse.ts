// `lab parse train|run|eval`: the @lab/depparse transition parser on CoNLL-U or plain text.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type BackendReport, initBackend } from '@lab/core';
import { FILE_LIMITS, readFileLimited, writeFileAtomic } from '@lab/core/node';
import {
  attachmentScores,
  type ConlluError,
  type ConlluSentence,
  type ContextConfig,
  formatConllu,
  MAX_BEAM_WIDTH,
  MAX_MODEL_DIM,
  MAX_SENTENCE_WORDS,
  type ModelFileNames,
  type Morphology,
  namedOptimizer,
  PARSER_FILES,
  Parser,
  parseWordVectors,
  type SystemName,
  TAGGER_FILES,
  Tagger,
  tagAccuracy,
  trainParser,
  trainTagger,
  words,
} from '@lab/depparse';
import { readInput, readInputFile, readSentences } from './conllu-input.js';
import { type Progress, progress } from './progress.js';

export { detectFormat } from './conllu-input.js';

/** The model that ships with @lab/depparse (trained on UD English EWT). */
export function shippedModelDir(): string {
  return dirname(createRequire(import.meta.url).resolve(`@lab/depparse/models/en_ewt/${PARSER_FILES.vocab}`));
}

/** How training and evaluation read their CoNLL-U files. */
export interface ConlluFileOptions {
  /** Problems are warnings on stderr (file:line, a count at the end); broken sentences are skipped. */
  lenient?: boolean;
  /** Largest file read, in bytes (default MAX_INPUT_BYTES). */
  maxInputBytes?: number;
}

/** A CoNLL-U file (training, evaluation): strict errors, or lenient warnings, name the file and line. */
function readConllu(path: string, o: ConlluFileOptions = {}): ConlluSentence[] {
  return readSentences(readInputFile(path, o.maxInputBytes), path, { lenient: o.lenient }).sentences;
}

export interface LoadedModel {
  parser: Parser;
  tagger?: Tagger;
  dir: string;
}

/**
 * A model directory's parser, and its tagger if it has one (`tagger: false` leaves it unread: a parse
 * of tagged input never runs it, and reading it was a twentieth of a cold `lab parse`). A tagger with
 * only some of its files is an error either way.
 */
export function loadModel(
  dir = shippedModelDir(),
  { tagger: withTagger = true }: { tagger?: boolean } = {},
): LoadedModel {
  const file = (name: string) => join(dir, name);
  // the config file is there only in models from before the weights file carried the config
  const required = (names: ModelFileNames) => [names.weights, names.vocab];
  for (const f of required(PARSER_FILES))
    if (!existsSync(file(f))) throw new Error(`${dir} is not a parser model directory (no ${f})`);
  const taggerFiles = required(TAGGER_FILES);
  const present = taggerFiles.filter((f) => existsSync(file(f)));
  if (present.length > 0 && present.length < taggerFiles.length)
    throw new Error(
      `${dir}: a tagger needs ${taggerFiles.join(', ')}; missing ${taggerFiles.filter((f) => !present.includes(f)).join(', ')}`,
    );
  const readJson = (path: string) => readFileLimited(path, FILE_LIMITS.json).toString('utf8');
  // the structured beam scorer (structured.safetensors) is optional: without it a beam is local
  const structured = (names: ModelFileNames) =>
    names.structured && existsSync(file(names.structured))
      ? { structured: readFileLimited(file(names.structured), FILE_LIMITS.tensors) }
      : {};
  const read = (names: ModelFileNames) => ({
    files: {
      weights: readFileLimited(file(names.weights), FILE_LIMITS.tensors),
      vocab: readJson(file(names.vocab)),
      ...(existsSync(file(names.config)) ? { config: readJson(file(names.config)) } : {}),
      ...structured(names),
    },
    names: {
      weights: file(names.weights),
      vocab: file(names.vocab),
      config: file(names.config),
      ...(names.structured ? { structured: file(names.structured) } : {}),
    },
  });
  const p = read(PARSER_FILES);
  const parser = Parser.fromFiles(p.files, p.names);
  try {
    const t = withTagger && present.length > 0 ? read(TAGGER_FILES) : undefined;
    const tagger = t ? Tagger.fromFiles(t.files, t.names) : undefined;
    return { parser, tagger, dir };
  } catch (e) {
    parser.dispose();
    throw e;
  }
}

/**
 * Writes a model's files into `dir`, removing a config file an older model left there (it would
 * disagree), and a structured scorer file the model does not have (it would belong to other weights).
 */
export function writeModel(
  dir: string,
  names: ModelFileNames,
  files: { weights: Uint8Array; vocab: string; structured?: Uint8Array },
): void {
  writeFileAtomic(join(dir, names.weights), files.weights);
  writeFileAtomic(join(dir, names.vocab), files.vocab);
  rmSync(join(dir, names.config), { force: true });
  if (names.structured) {
    if (files.structured) writeFileAtomic(join(dir, names.structured), files.structured);
    else rmSync(join(dir, names.structured), { force: true });
  }
}

export interface ParseTrainOptions {
  train: string;
  dev?: string;
  out: string;
  epochs: number;
  system: SystemName;
  hidden: number[];
  activation: 'cube' | 'relu' | 'tanh';
  /** Sentence-context encoder (see NetConfig.context). */
  context?: ContextConfig;
  optimizer: 'adam' | 'adagrad';
  lr?: number;
  lrSchedule: 'none' | 'cosine';
  batchSize: number;
  exploreFrom?: number;
  average?: number;
  vectors?: string;
  vectorsVocab?: number;
  wordDropout?: number;
  /** Model directories of teachers for knowledge distillation. */
  teachers?: string[];
  teacherWeight?: number;
  wordDim: number;
  morphology: Morphology;
  taggerEpochs: number;
  half: boolean;
  seed: number;
  limit?: number;
  backend: 'wasm' | 'cpu';
  quiet?: boolean;
  /** Read --train and --dev leniently (see ConlluFileOptions). */
  lenient?: boolean;
  /** Largest --train, --dev or --vectors file, in bytes (default MAX_INPUT_BYTES). */
  maxInputBytes?: number;
}

export async function parseTrain(o: ParseTrainOptions) {
  checkHidden(o.hidden);
  checkTaggerEpochs(o.taggerEpochs);
  const started = performance.now();
  const backend: BackendReport = await initBackend({ backend: o.backend });
  let train = readConllu(o.train, o);
  if (o.limit) train = train.slice(0, o.limit);
  const dev = o.dev ? readConllu(o.dev, o) : undefined;
  const pretrained = o.vectors
    ? parseWordVectors(Buffer.from(readInputFile(o.vectors, o.maxInputBytes)).toString('utf8'), o.wordDim)
    : undefined;
  const teachers = (o.teachers ?? []).map((dir) => loadModel(dir));
  let bar: Progress | null = null;
  const trained = (() => {
    try {
      return trainParser(train, dev, {
        system: o.system,
        epochs: o.epochs,
        batchSize: o.batchSize,
        optimizer: namedOptimizer({ name: o.optimizer, lr: o.lr, schedule: o.lrSchedule }),
        exploreFrom: o.exploreFrom,
        averageDecay: o.average,
        pretrained,
        pretrainedVocabulary: o.vectorsVocab,
        wordDropout: o.wordDropout,
        teachers: teachers.map((t) => t.parser),
        teacherWeight: o.teacherWeight,
        seed: o.seed,
        morphology: o.morphology,
        net: {
          hidden: o.hidden,
          activation: o.activation,
          wordDim: o.wordDim,
          ...(o.context ? { context: o.context } : {}),
        },
        onBatch: ({ epoch, batch, batches, loss }) => {
          if (batch === 0) bar = progress(`parser epoch ${epoch}/${o.epochs}`, batches, o.quiet);
          bar!.tick({ loss: loss.toFixed(4) });
        },
        onEpoch: (e) => {
          const dv = e.dev
            ? `  dev UAS ${(100 * e.dev.uas).toFixed(2)} LAS ${(100 * e.dev.las).toFixed(2)}`
            : '';
          (bar as Progress | null)?.done(`loss ${e.loss.toFixed(4)}  ${e.seconds.toFixed(1)} s${dv}`);
        },
      });
    } finally {
      for (const t of teachers) {
        t.parser.dispose();
        t.tagger?.dispose();
      }
    }
  })();
  const { parser, history, best } = trained;
  const tagger =
    o.taggerEpochs > 0
      ? trainTagger(train, {
          epochs: o.taggerEpochs,
          seed: o.seed,
          config: { morphology: o.morphology },
          onEpoch: (e) => {
            if (!o.quiet)
              process.stderr.write(
                `tagger epoch ${e.epoch}: loss ${e.loss.toFixed(4)} ${e.seconds.toFixed(1)} s\n`,
              );
          },
        })
      : undefined;
  mkdirSync(o.out, { recursive: true });
  writeModel(o.out, PARSER_FILES, parser.toFiles({ half: o.half }));
  let tags: ReturnType<typeof tagAccuracy> | undefined;
  if (tagger) {
    writeModel(o.out, TAGGER_FILES, tagger.toFiles({ half: o.half }));
    if (dev) tags = tagAccuracy(dev, tagger.tag(dev));
  }
  const summary = {
    train: o.train,
    dev: o.dev,
    sentences: train.length,
    backend,
    options: { ...o, quiet: undefined, lenient: undefined, maxInputBytes: undefined },
    history,
    bestEpoch: best,
    devTagAccuracy: tags,
    seconds: (performance.now() - started) / 1000,
    command: `lab parse train ${process.argv.slice(4).join(' ')}`.trim(),
  };
  writeFileAtomic(join(o.out, 'training.json'), `${JSON.stringify(summary, null, 2)}\n`);
  parser.dispose();
  tagger?.dispose();
  return summary;
}

export interface ParseRunOptions {
  input?: string;
  model?: string;
  format: 'auto' | 'conllu' | 'text';
  output?: string;
  retag: boolean;
  batchSize: number;
  backend: 'wasm' | 'cpu';
  /** Read problems of the input are warnings (on stderr, with a count), not an error. */
  lenient?: boolean;
  /** Words (tokens) per sentence at most (default MAX_SENTENCE_WORDS). */
  maxWords?: number;
  /** Largest input (file or standard input), in bytes (default MAX_INPUT_BYTES). */
  maxInputBytes?: number;
  /** No progress line. */
  quiet?: boolean;
  /** Beam width (1, the default: greedy). */
  beam?: number;
}

/** Sentences parsed side by side at most (a batch's memory grows with it). */
export const MAX_BATCH_SIZE = 4096;
/**
 * Sentences parsed side by side by default: the same trees at any batch size, and at 128 a cold parse
 * of EWT test touches a quarter fewer fresh pages than at 512 (its context products and row buffers
 * grow with the batch) and took less CPU time, warm and cold, greedy and beam 8 (measured 2026-12-08).
 */
export const DEFAULT_BATCH_SIZE = 128;
/** Inputs of at least this many words get a progress line on stderr. */
const PROGRESS_WORDS = 50_000;

/**
 * Parses CoNLL-U or plain text; returns CoNLL-U text (and writes it to `output` when given). Input
 * is read strictly (the first problem is an error naming its line and column) unless `lenient`,
 * which writes each problem to stderr as a warning, skips the sentences it makes unusable and
 * returns the warnings.
 */
export async function parseRun(
  o: ParseRunOptions,
  stdin?: string | Uint8Array,
): Promise<{ conllu: string; sentences: number; seconds: number; warnings: ConlluError[] }> {
  const maxWords = o.maxWords ?? MAX_SENTENCE_WORDS;
  if (!(Number.isInteger(maxWords) && maxWords >= 1))
    throw new Error('--max-words must be a positive integer');
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1 && o.batchSize <= MAX_BATCH_SIZE))
    throw new Error(`--batch-size must be an integer in [1, ${MAX_BATCH_SIZE}]`);
  const beam = o.beam ?? 1;
  if (!(Number.isInteger(beam) && beam >= 1 && beam <= MAX_BEAM_WIDTH))
    throw new Error(`--beam must be an integer in [1, ${MAX_BEAM_WIDTH}]`);
  const fromFile = o.input !== undefined && o.input !== '-';
  const { name, bytes } = await readInput(fromFile ? o.input : undefined, o.maxInputBytes, stdin);
  const input = readSentences(bytes, name, {
    format: o.format,
    path: o.input,
    lenient: o.lenient,
    unparsed: true,
    maxWords,
    maxWordsHint: '--max-words raises it',
  });
  const warnings = input.warnings;
  let sentences = input.sentences;
  await initBackend({ backend: o.backend });
  const all = sentences.flatMap((s) => words(s));
  const missingTags = all.some((w) => w.upos === '_' || w.xpos === '_');
  // the tagger is read only when it will run
  const model = loadModel(o.model, { tagger: o.retag || missingTags });
  try {
    if (o.retag || missingTags) {
      if (!model.tagger)
        throw new Error(`${model.dir} has no tagger; give CoNLL-U input with UPOS and XPOS filled in`);
      // without --retag the tagger fills in only the tags the input lacks
      sentences = model.tagger.tag(sentences, { fill: o.retag ? 'all' : 'missing' });
    }
    if (
      !o.retag &&
      model.parser.config.morphology === 'xpos+feats' &&
      all.some((w) => w.xpos !== '_') &&
      all.every((w) => w.xpos === '_' || w.feats === '_')
    )
      process.stderr.write(
        'warning: the model reads FEATS but the input has none; --retag predicts them with the tagger\n',
      );
    const t0 = performance.now();
    const show =
      !o.quiet && all.length >= PROGRESS_WORDS ? parseProgress(sentences.length, all.length) : undefined;
    const parsed = model.parser.parse(sentences, { batchSize: o.batchSize, onBatch: show, beam });
    const seconds = (performance.now() - t0) / 1000;
    const conllu = formatConllu(parsed);
    if (o.output) writeFileAtomic(o.output, conllu);
    return { conllu, sentences: parsed.length, seconds, warnings };
  } finally {
    model.parser.dispose();
    model.tagger?.dispose();
  }
}

/** A progress line on stderr: rewritten in place on a terminal, every tenth of the way elsewhere. */
function parseProgress(sentences: number, wordCount: number): (done: number, total: number) => void {
  const tty = process.stderr.isTTY;
  const started = performance.now();
  let shown = 0;
  process.stderr.write(`parsing ${sentences} sentences (${wordCount} words)${tty ? '' : '\n'}`);
  return (done, total) => {
    const tenth = Math.floor((10 * done) / total);
    if (!tty && tenth === shown && done < total) return;
    shown = tenth;
    const line = `parsing: ${done}/${total} sentences, ${((performance.now() - started) / 1000).toFixed(1)} s`;
    process.stderr.write(tty ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
  };
}

/** CoNLL 2018 scores of a system file against a gold file. */
export function parseEval(goldPath: string, systemPath: string, o: ConlluFileOptions = {}) {
  const gold = readConllu(goldPath, o);
  const system = readConllu(systemPath, o);
  if (o.lenient && gold.length !== system.length)
    throw new Error(
      `after skipping broken sentences, ${goldPath} has ${gold.length} sentences but ${systemPath} has ${system.length}; fix the files (sentences are compared in order)`,
    );
  return { ...attachmentScores(gold, system), tags: tagAccuracy(gold, system) };
}

export function formatScores(s: ReturnType<typeof parseEval>): string {
  const pct = (x: number) => (100 * x).toFixed(2).padStart(6);
  const lines = [
    `words ${s.words}`,
    `UAS  ${pct(s.uas)}`,
    `LAS  ${pct(s.las)}`,
    `CLAS ${pct(s.clas)}`,
    `UPOS ${pct(s.tags.upos)}   XPOS ${pct(s.tags.xpos)}   FEATS ${pct(s.tags.feats)}`,
    '',
    'label          gold  system  correct  precision  recall     F1',
  ];
  for (const [label, e] of Object.entries(s.perLabel))
    lines.push(
      `${label.padEnd(12)} ${String(e.gold).padStart(6)} ${String(e.system).padStart(7)} ${String(e.correct).padStart(8)}   ${pct(e.precision)}  ${pct(e.recall)} ${pct(e.f1)}`,
    );
  return lines.join('\n');
}

/** `--context dim,layers,width[,channels[,positions[,dropout]]]` as a NetConfig context. */
export function parseContextOption(v: string): NonNullable<ParseTrainOptions['context']> {
  const parts = v.split(',').map(Number);
  const [dim, layers, width, channels, positions, dropout] = parts;
  if (
    parts.length < 3 ||
    parts.length > 6 ||
    (positions !== undefined && positions > 4) ||
    (dropout !== undefined && !(dropout >= 0 && dropout < 1)) ||
    !parts.slice(0, 5).every((n) => Number.isInteger(n) && n >= 1) ||
    width! % 2 === 0
  )
    throw new Error(
      '--context takes positive integers dim,layers,width[,channels[,positions]] (width odd, positions <= 4) and a dropout rate in [0, 1), e.g. 64,3,5,64,4,0.2',
    );
  return {
    dim: dim!,
    layers: layers!,
    width: width!,
    ...(channels ? { channels } : {}),
    ...(positions ? { positions } : {}),
    ...(dropout ? { dropout } : {}),
  };
}

/** `--hidden 256` or `--hidden 256,256`: one or two layer sizes. */
export function parseHiddenOption(v: string): number[] {
  const sizes = v.split(',').map((x) => (x.trim() === '' ? Number.NaN : Number(x)));
  checkHidden(sizes, v);
  return sizes;
}

function checkHidden(sizes: readonly number[], given: unknown = sizes): void {
  if (
    sizes.length < 1 ||
    sizes.length > 2 ||
    !sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_MODEL_DIM)
  )
    throw new Error(
      `--hidden takes one or two layer sizes, integers in [1, ${MAX_MODEL_DIM}] (e.g. 256 or 256,256); got ${JSON.stringify(given)}`,
    );
}

/** `--tagger-epochs n`: a whole number >= 0 (0: no tagger). */
export function parseTaggerEpochsOption(v: string): number {
  const n = v.trim() === '' ? Number.NaN : Number(v);
  checkTaggerEpochs(n, v);
  return n;
}

function checkTaggerEpochs(n: number, given: unknown = n): void {
  if (!(Number.isInteger(n) && n >= 0 && n <= 10_000))
    throw new Error(
      `--tagger-epochs must be an integer in [0, 10000] (0: no tagger); got ${JSON.stringify(given)}`,
    );
}

/** `--max-words n` of `lab parse`: a positive integer. */
export function parseMaxWordsOption(v: string): number {
  const n = v.trim() === '' ? Number.NaN : Number(v);
  if (!(Number.isInteger(n) && n >= 1 && n <= 1_000_000))
    throw new Error(`--max-words must be an integer in [1, 1000000]; got ${JSON.stringify(v)}`);
  return n;
}

/** `--beam n` of `lab parse`: the beam width, 1 (greedy) to MAX_BEAM_WIDTH. */
export function parseBeamOption(v: string): number {
  // decimal digits only (Number() would also take '0x10' and '1e1')
  const n = /^\s*[0-9]+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_BEAM_WIDTH))
    throw new Error(
      `--beam must be an integer in [1, ${MAX_BEAM_WIDTH}] (1: greedy); got ${JSON.stringify(v)}`,
    );
  return n;
}

/** `--batch-size n` of `lab parse`: sentences parsed side by side, 1 to MAX_BATCH_SIZE. */
export function parseRunBatchSizeOption(v: string): number {
  const n = v.trim() === '' ? Number.NaN : Number(v);
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_BATCH_SIZE))
    throw new Error(`--batch-size must be an integer in [1, ${MAX_BATCH_SIZE}]; got ${JSON.stringify(v)}`);
  return n;
}
