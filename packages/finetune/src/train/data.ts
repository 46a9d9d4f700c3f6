// Labelled examples in memory, and the validation split that early stopping and best weights watch.
import { Rng, trainValidationSplit } from '@lab/core';
import { gather, type Tensor, tensor1d, tidy } from '@tensorflow/tfjs-core';

export interface ClassifierData {
  /** Inputs, examples on the first axis. */
  x: Tensor;
  /** One class index per example. */
  labels: Int32Array;
}

/** Throws a RangeError naming `where` unless x and labels describe the same non-empty examples. */
export function checkClassifierData(data: ClassifierData, where: string): void {
  if (!data?.x || !(data.labels instanceof Int32Array))
    throw new TypeError(`${where}: data must be { x: Tensor, labels: Int32Array }`);
  if (data.x.shape[0] !== data.labels.length)
    throw new RangeError(`${where}: x has ${data.x.shape[0]} examples but labels has ${data.labels.length}`);
  if (data.labels.length === 0) throw new RangeError(`${where}: no examples`);
}

/** The examples at `indices`, as new tensors the caller disposes. */
export function subset(data: ClassifierData, indices: Int32Array): ClassifierData {
  return {
    x: tidy(() => gather(data.x, tensor1d(indices, 'int32'))),
    labels: Int32Array.from(indices, (i) => data.labels[i]!),
  };
}

/**
 * A shuffled split (by `seed`) into training and validation examples; `fraction` of them (rounded,
 * at least one on each side) validate. The parts are new tensors: dispose both.
 */
export function validationSplit(
  data: ClassifierData,
  fraction: number,
  seed = 0,
): { train: ClassifierData; validation: ClassifierData } {
  checkClassifierData(data, 'validationSplit');
  if (!(fraction > 0 && fraction < 1))
    throw new RangeError(`validationSplit: fraction must be in (0, 1), got ${fraction}`);
  const n = data.labels.length;
  const count = Math.round(n * fraction);
  if (count < 1 || count > n - 1)
    throw new RangeError(
      `validationSplit: ${n} examples cannot give ${fraction} of them (${count}) to validation and keep some to train`,
    );
  const split = trainValidationSplit(n, count, new Rng(seed));
  return { train: subset(data, split.train), validation: subset(data, split.validation) };
}
