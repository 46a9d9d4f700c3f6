// Node file I/O for @lab: atomic writes, checkpoint files, MNIST-layout directories.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  type CheckpointContent,
  checkpointToBytes,
  type RestoredCheckpoint,
  type RestoreOptions,
  restoreCheckpoint,
} from '../checkpoint/checkpoint.js';
import { CheckpointError } from '../checkpoint/checkpoint-error.js';
import { SafetensorsError } from '../checkpoint/safetensors.js';
import { type ImageDataset, imageDatasetFromIdx } from '../data/idx.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Rng } from '../random/rng.js';
import { FILE_LIMITS, readFileLimited } from './read-limited.js';

/** Writes a file atomically: a temporary file beside it, fsync, then rename over the target. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

export function saveCheckpointFile(path: string, content: CheckpointContent): void {
  writeFileAtomic(path, checkpointToBytes(content));
}

export function loadCheckpointFile(
  path: string,
  targets: Omit<CheckpointContent, 'step' | 'rng' | 'config'>,
  options: RestoreOptions = {},
): RestoredCheckpoint {
  try {
    return restoreCheckpoint(readFileLimited(path, FILE_LIMITS.tensors), targets, options);
  } catch (e) {
    throw e instanceof CheckpointError || e instanceof SafetensorsError ? e.inFile(path) : e;
  }
}

const SPLITS = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

/** Reads the train or test split of an MNIST-layout directory (MNIST, Fashion-MNIST), gzip or raw. */
export function loadMnistSplit(dir: string, split: 'train' | 'test'): ImageDataset {
  const find = (base: string) => {
    for (const name of [`${base}.gz`, base]) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
    throw new Error(`${dir}: neither ${base}.gz nor ${base} exists`);
  };
  const [images, labels] = SPLITS[split].map(find) as [string, string];
  const read = (path: string) => readFileLimited(path, FILE_LIMITS.idx);
  return imageDatasetFromIdx(read(images), read(labels), 10, { images, labels });
}

export interface FileCheckpointTargets {
  modules?: Readonly<Record<string, Module>>;
  optimizers?: Readonly<Record<string, Optimizer<any>>>;
  rng?: Rng;
  config?: unknown;
}

/**
 * save/restore functions for runTrainingLoop that keep one checkpoint file (written atomically) with
 * the modules, optimizers, step and random state.
 */
export function fileCheckpointer(path: string, targets: FileCheckpointTargets) {
  return {
    save(stepsDone: number): void {
      saveCheckpointFile(path, { ...targets, rng: targets.rng?.getState(), step: stepsDone });
    },
    /** Restores the file if it exists; returns its step count, or undefined without a file. */
    restore(): number | undefined {
      if (!existsSync(path)) return undefined;
      const r = loadCheckpointFile(path, targets);
      if (targets.rng && r.rng) targets.rng.setState(r.rng);
      return r.step;
    },
  };
}
