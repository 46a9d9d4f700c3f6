// `lab parse train|run|eval`: the @lab/depparse transition parser on CoNLL-U or plain text.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type BackendReport, initBackend } from '@lab/core';
import { writeFileAtomic } from '@lab/core/node';
import {
  attachmentScores,
  type ConlluSentence,
  type ContextConfig,
  formatConllu,
  type Morphology,
  Parser,
  parseConllu,
  parseWordVectors,
  type SystemName,
  sentencesFromText,
  Tagger,
  tagAccuracy,
  trainParser,
  trainTagger,
  words,
} from '@lab/depparse';
import { type Progress, progress } from './progress.js';

/** The model that ships with @lab/depparse (trained on UD English EWT). */
export function shippedModelDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@lab/depparse/models/en_ewt/config.json'));
}

function readConllu(path: string): ConlluSentence[] {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  return parseConllu(readFileSync(path, 'utf8'));
}

export interface LoadedModel {
  parser: Parser;
  tagger?: Tagger;
  dir: string;
}

export function loadModel(dir = shippedModelDir()): LoadedModel {
  const file = (name: string) => join(dir, name);
  for (const f of ['weights.safetensors', 'vocab.json', 'config.json'])
    if (!existsSync(file(f))) throw new Error(`${dir} is not a parser model directory (no ${f})`);
  const parser = Parser.fromFiles({
    weights: readFileSync(file('weights.safetensors')),
    vocab: readFileSync(file('vocab.json'), 'utf8'),
    config: readFileSync(file('config.json'), 'utf8'),
  });
  const tagger = existsSync(file('tagger.safetensors'))
    ? Tagger.fromFiles({
        weights: readFileSync(file('tagger.safetensors')),
        vocab: readFileSync(file('tagger-vocab.json'), 'utf8'),
        config: readFileSync(file('tagger-config.json'), 'utf8'),
      })
    : undefined;
  return { parser, tagger, dir };
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
}

export async function parseTrain(o: ParseTrainOptions) {
  const started = performance.now();
  const backend: BackendReport = await initBackend({ backend: o.backend });
  let train = readConllu(o.train);
  if (o.limit) train = train.slice(0, o.limit);
  const dev = o.dev ? readConllu(o.dev) : undefined;
  const pretrained = o.vectors ? parseWordVectors(readFileSync(o.vectors, 'utf8'), o.wordDim) : undefined;
  const teachers = (o.teachers ?? []).map((dir) => loadModel(dir));
  let bar: Progress | null = null;
  const trained = (() => {
    try {
      return trainParser(train, dev, {
        system: o.system,
        epochs: o.epochs,
        batchSize: o.batchSize,
        optimizer: o.optimizer,
        lr: o.lr,
        lrSchedule: o.lrSchedule,
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
  const files = parser.toFiles({ half: o.half });
  writeFileAtomic(join(o.out, 'weights.safetensors'), files.weights);
  writeFileAtomic(join(o.out, 'vocab.json'), files.vocab);
  writeFileAtomic(join(o.out, 'config.json'), files.config);
  let tags: ReturnType<typeof tagAccuracy> | undefined;
  if (tagger) {
    const t = tagger.toFiles({ half: o.half });
    writeFileAtomic(join(o.out, 'tagger.safetensors'), t.weights);
    writeFileAtomic(join(o.out, 'tagger-vocab.json'), t.vocab);
    writeFileAtomic(join(o.out, 'tagger-config.json'), t.config);
    if (dev) tags = tagAccuracy(dev, tagger.tag(dev));
  }
  const summary = {
    train: o.train,
    dev: o.dev,
    sentences: train.length,
    backend,
    options: { ...o, quiet: undefined },
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
}

/** Parses CoNLL-U or plain text; returns CoNLL-U text (and writes it to `output` when given). */
export async function parseRun(
  o: ParseRunOptions,
  stdin?: string,
): Promise<{ conllu: string; sentences: number; seconds: number }> {
  await initBackend({ backend: o.backend });
  const text =
    o.input && o.input !== '-' ? readFileSync(o.input, 'utf8') : (stdin ?? readFileSync(0, 'utf8'));
  const format =
    o.format === 'auto'
      ? /^(#.*\n)*\d+\t/.test(text) || o.input?.endsWith('.conllu')
        ? 'conllu'
        : 'text'
      : o.format;
  let sentences = format === 'conllu' ? parseConllu(text, { lenient: true }) : sentencesFromText(text);
  const model = loadModel(o.model);
  try {
    const untagged = sentences.some((s) => words(s).some((w) => w.upos === '_' || w.xpos === '_'));
    if (o.retag || untagged) {
      if (!model.tagger)
        throw new Error(`${model.dir} has no tagger; give CoNLL-U input with UPOS and XPOS filled in`);
      sentences = model.tagger.tag(sentences);
    } else if (
      model.parser.config.morphology === 'xpos+feats' &&
      sentences.every((s) => words(s).every((w) => w.feats === '_'))
    )
      process.stderr.write(
        'warning: the model reads FEATS but the input has none; --retag predicts them with the tagger\n',
      );
    const t0 = performance.now();
    const parsed = model.parser.parse(sentences, { batchSize: o.batchSize });
    const seconds = (performance.now() - t0) / 1000;
    const conllu = formatConllu(parsed);
    if (o.output) writeFileAtomic(o.output, conllu);
    return { conllu, sentences: parsed.length, seconds };
  } finally {
    model.parser.dispose();
    model.tagger?.dispose();
  }
}

/** CoNLL 2018 scores of a system file against a gold file. */
export function parseEval(goldPath: string, systemPath: string) {
  const gold = readConllu(goldPath);
  const system = readConllu(systemPath);
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
