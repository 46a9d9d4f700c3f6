// W4 `depparse`'s inputs: a model directory's files (read with @lab/core's limits and handed to
// Parser/Tagger.fromFiles with their paths, so that every check there names the file), the settings
// the model was trained with (training.json, checked field by field), and the EWT CoNLL-U sets.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FILE_LIMITS, readFileLimited } from '@lab/core/node';
import {
  type ConlluSentence,
  type ModelFileNames,
  type ModelFiles,
  OPTIMIZER_NAMES,
  type OptimizerName,
  parseConllu,
} from '@lab/depparse';
import { InputFileError, readJsonObject, readTextFile } from './bench-files.js';

/** A model's files in `dir` (the config file only where an older model has one), and their paths. */
export function readModelDir(
  dir: string,
  names: ModelFileNames,
): { files: ModelFiles; names: ModelFileNames } {
  const path = (f: string) => join(dir, f);
  const config = path(names.config);
  return {
    files: {
      weights: readFileLimited(path(names.weights), FILE_LIMITS.tensors),
      vocab: readTextFile(path(names.vocab), FILE_LIMITS.json),
      ...(existsSync(config) ? { config: readTextFile(config, FILE_LIMITS.json) } : {}),
    },
    names: { weights: path(names.weights), vocab: path(names.vocab), config },
  };
}

/** The training settings the epoch timing reuses; absent ones take trainParser's defaults. */
export interface TrainingSettings {
  wordDropout?: number;
  batchSize?: number;
  optimizer?: OptimizerName;
}

/** Largest batch the timing accepts from a file (the shipped model used 512). */
export const MAX_TRAINING_BATCH = 1 << 16;

/** `options` of a model's training.json (`file` names it in errors), checked field by field. */
export function trainingSettings(json: Record<string, unknown>, file: string): TrainingSettings {
  if (!Object.hasOwn(json, 'options') || json.options === undefined) return {};
  const o = json.options;
  if (o === null || typeof o !== 'object' || Array.isArray(o))
    throw new InputFileError(file, 'options', 'not a JSON object');
  const get = (k: string) => (Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined);
  const out: TrainingSettings = {};
  const wordDropout = get('wordDropout');
  if (wordDropout !== undefined) {
    if (typeof wordDropout !== 'number' || !Number.isFinite(wordDropout) || wordDropout < 0)
      throw new InputFileError(file, 'options.wordDropout', `${String(wordDropout)} is not a number >= 0`);
    out.wordDropout = wordDropout;
  }
  const batchSize = get('batchSize');
  if (batchSize !== undefined) {
    if (
      !Number.isInteger(batchSize) ||
      (batchSize as number) < 1 ||
      (batchSize as number) > MAX_TRAINING_BATCH
    )
      throw new InputFileError(
        file,
        'options.batchSize',
        `${String(batchSize)} is not an integer in [1, ${MAX_TRAINING_BATCH}]`,
      );
    out.batchSize = batchSize as number;
  }
  const optimizer = get('optimizer');
  if (optimizer !== undefined) {
    if (!OPTIMIZER_NAMES.includes(optimizer as OptimizerName))
      throw new InputFileError(
        file,
        'options.optimizer',
        `${JSON.stringify(optimizer)} is not one of ${OPTIMIZER_NAMES.join(', ')}`,
      );
    out.optimizer = optimizer as OptimizerName;
  }
  return out;
}

/** A model directory's training.json settings. */
export function readTrainingSettings(dir: string): TrainingSettings {
  const file = join(dir, 'training.json');
  return trainingSettings(readJsonObject(file), file);
}

/** A CoNLL-U file, strictly: a ConlluError's line is given with the file's name. */
export function readConlluFile(path: string): ConlluSentence[] {
  const text = readTextFile(path, FILE_LIMITS.text);
  try {
    return parseConllu(text);
  } catch (e) {
    if (e instanceof Error && e.name === 'ConlluError') throw new InputFileError(path, undefined, e.message);
    throw e;
  }
}
