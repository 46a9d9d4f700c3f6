// `lab parse train --structured perceptron|global --beam N`: structured beam training on top of a
// greedily trained parser (the one `--from DIR` names, or the one this command trains first with the
// usual options). 'perceptron' keeps the net and adds structured.safetensors (Weiss et al. 2015);
// 'global' trains the whole net with the CRF loss over the beam (Andor et al. 2016) and writes both.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@lab/core';
import { writeFileAtomic } from '@lab/core/node';
import {
  attachmentScores,
  type ConlluSentence,
  namedOptimizer,
  PARSER_FILES,
  type StructuredEpochReport,
  TAGGER_FILES,
  trainGlobal,
  trainPerceptron,
  type UpdateRule,
} from '@lab/depparse';
import { readInputFile, readSentences } from './conllu-input.js';
import { loadModel, type ParseTrainOptions, parseTrain, writeModel } from './parse.js';

export const STRUCTURED_KINDS = ['perceptron', 'global'] as const;
export type StructuredKind = (typeof STRUCTURED_KINDS)[number];

export interface StructuredTrainOptions {
  structured: StructuredKind;
  /** Beam width in training (default 8). */
  beam?: number;
  structuredEpochs?: number;
  update?: UpdateRule;
  sentencesPerStep?: number;
  /** Global training's Adam learning rate (default 5e-5). */
  structuredLr?: number;
  /** The perceptron's scores and start (default 'residual'; see PerceptronOptions.init). */
  perceptronInit?: 'residual' | 'network' | 'zero';
  perceptronRate?: number;
  /** A greedily trained model directory to start from (else one is trained first, into --out). */
  from?: string;
}

/** Checks that the structured options come together: they name the option that is wrong. */
export function checkStructuredOptions(
  o: Partial<Omit<StructuredTrainOptions, 'structured'>> & { structured?: string },
): void {
  const needs = (name: string, given: unknown) => {
    if (given !== undefined && o.structured === undefined)
      throw new Error(`${name} applies to structured training: give --structured perceptron or global`);
  };
  needs('--beam', o.beam);
  needs('--structured-epochs', o.structuredEpochs);
  needs('--update', o.update);
  needs('--from', o.from);
  needs('--sentences-per-step', o.sentencesPerStep);
  needs('--structured-lr', o.structuredLr);
  needs('--perceptron-init', o.perceptronInit);
  needs('--perceptron-rate', o.perceptronRate);
  if (o.structured !== undefined && !(STRUCTURED_KINDS as readonly string[]).includes(o.structured))
    throw new Error(`--structured must be perceptron or global, got '${o.structured}'`);
  if (o.structured === 'perceptron' && o.structuredLr !== undefined)
    throw new Error('--structured-lr is for --structured global (the perceptron takes --perceptron-rate)');
  if (o.structured === 'global' && (o.perceptronInit !== undefined || o.perceptronRate !== undefined))
    throw new Error('--perceptron-init and --perceptron-rate are for --structured perceptron');
  if (o.from !== undefined && !existsSync(join(o.from, PARSER_FILES.vocab)))
    throw new Error(`--from ${o.from} is not a parser model directory (no ${PARSER_FILES.vocab})`);
}

function readTrain(path: string, o: ParseTrainOptions): ConlluSentence[] {
  return readSentences(readInputFile(path, o.maxInputBytes), path, { lenient: o.lenient }).sentences;
}

/** Greedy training (unless --from), then structured training; writes the model directory --out. */
export async function parseStructuredTrain(o: ParseTrainOptions & StructuredTrainOptions) {
  checkStructuredOptions(o);
  const started = performance.now();
  let from = o.from;
  let greedy: Awaited<ReturnType<typeof parseTrain>> | undefined;
  if (!from) {
    greedy = await parseTrain(o);
    from = o.out;
  } else await initBackend({ backend: o.backend });
  let train = readTrain(o.train, o);
  if (o.limit) train = train.slice(0, o.limit);
  const dev = o.dev ? readTrain(o.dev, o) : undefined;
  const { parser, tagger } = loadModel(from);
  tagger?.dispose();
  const beam = o.beam ?? 8;
  const devBefore = dev ? scores(dev, parser, beam) : undefined;
  const onEpoch = (e: StructuredEpochReport) => {
    if (o.quiet) return;
    const dv = e.dev ? `  dev (beam ${beam}) UAS ${pct(e.dev.uas)} LAS ${pct(e.dev.las)}` : '';
    process.stderr.write(
      `${o.structured} epoch ${e.epoch}: ${pct(e.updated)}% of sentences updated, ${e.seconds.toFixed(1)} s${dv}\n`,
    );
  };
  const shared = {
    beam,
    epochs: o.structuredEpochs ?? 1,
    update: o.update ?? 'early',
    sentencesPerStep: o.sentencesPerStep,
    seed: o.seed,
    onEpoch,
  };
  try {
    const result =
      o.structured === 'perceptron'
        ? trainPerceptron(parser, train, dev, {
            ...shared,
            init: o.perceptronInit,
            rate: o.perceptronRate,
          })
        : trainGlobal(parser, train, dev, {
            ...shared,
            optimizer: namedOptimizer({ lr: o.structuredLr ?? 5e-5 })(1),
          });
    mkdirSync(o.out, { recursive: true });
    writeModel(o.out, PARSER_FILES, parser.toFiles({ half: o.half }));
    // the tagger of the model started from comes along
    if (from !== o.out)
      for (const name of [TAGGER_FILES.weights, TAGGER_FILES.vocab, TAGGER_FILES.config])
        if (existsSync(join(from, name))) copyFileSync(join(from, name), join(o.out, name));
    const summary = {
      structured: o.structured,
      from,
      beam,
      update: shared.update,
      sentences: train.length,
      skipped: result.skipped,
      history: result.history,
      bestEpoch: result.best,
      devBefore,
      devAfter: dev ? scores(dev, parser, beam) : undefined,
      greedy: greedy ? { bestEpoch: greedy.bestEpoch, history: greedy.history } : undefined,
      seconds: (performance.now() - started) / 1000,
      command: `lab parse train ${process.argv.slice(4).join(' ')}`.trim(),
    };
    writeFileAtomic(join(o.out, 'training-structured.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    parser.dispose();
  }
}

function pct(x: number): string {
  return (100 * x).toFixed(2);
}

/** Dev scores greedily and with the beam (structured, when the parser has its layer). */
function scores(
  dev: readonly ConlluSentence[],
  parser: ReturnType<typeof loadModel>['parser'],
  beam: number,
) {
  const greedy = attachmentScores(dev, parser.parse(dev));
  const wide = attachmentScores(dev, parser.parse(dev, { beam }));
  return {
    greedy: { uas: greedy.uas, las: greedy.las },
    beam: { uas: wide.uas, las: wide.las, structured: parser.structuredOutput?.config.training ?? 'local' },
  };
}
