// Hinton et al.'s fix for a class the transfer set never showed: the distilled net has learnt the
// class from the teacher's soft targets on other examples, but its output bias is too low, so the
// class's logit is raised by a constant (3.5 in the paper's MNIST experiment, without a 3 in sight),
// given or chosen on held-out data.
import type { Dense } from '@lab/core';
import { tensor1d, type Variable } from '@tensorflow/tfjs-core';

/** Adds `amount` to the output bias of `classIndex` (in place) on a Dense layer or a bias Variable. */
export function raiseClassBias(target: Dense | Variable, classIndex: number, amount: number): void {
  const bias = 'weight' in target ? (target as Dense).bias : (target as Variable);
  if (!bias) throw new RangeError('raiseClassBias: the layer has no bias');
  if (bias.rank !== 1) throw new RangeError(`raiseClassBias: the bias must be a vector, got [${bias.shape}]`);
  const classes = bias.shape[0]!;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes)
    throw new RangeError(`raiseClassBias: class ${classIndex} is not in [0, ${classes})`);
  if (!Number.isFinite(amount)) throw new RangeError(`raiseClassBias: amount must be finite, got ${amount}`);
  const values = bias.dataSync().slice();
  values[classIndex] = values[classIndex]! + amount;
  const raised = tensor1d(values);
  bias.assign(raised);
  raised.dispose();
}

export interface BiasChoice {
  /** The shift with the highest accuracy (the smallest such shift on ties). */
  shift: number;
  accuracy: number;
  curve: { shift: number; accuracy: number }[];
}

/** Accuracy of argmax(logits + shift e_class) over rows of `logits` [n, classes]. */
export function shiftedAccuracy(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  classIndex: number,
  shift: number,
): number {
  const n = labels.length;
  let right = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) {
      const v = logits[i * classes + c]! + (c === classIndex ? shift : 0);
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    if (best === labels[i]) right++;
  }
  return n ? right / n : 0;
}

/**
 * Chooses the bias shift for `classIndex` on held-out logits [n, classes] (computed once) and their
 * labels: the candidate with the best accuracy. Default candidates 0, 0.25, ..., 10.
 */
export function chooseBiasShift(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  classIndex: number,
  candidates: readonly number[] = Array.from({ length: 41 }, (_, i) => i * 0.25),
): BiasChoice {
  if (!Number.isInteger(classes) || classes < 2 || logits.length !== labels.length * classes)
    throw new RangeError(
      `chooseBiasShift: ${logits.length} logits for ${labels.length} labels x ${classes} classes`,
    );
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes)
    throw new RangeError(`chooseBiasShift: class ${classIndex} is not in [0, ${classes})`);
  if (candidates.length === 0 || candidates.some((c) => !Number.isFinite(c)))
    throw new RangeError('chooseBiasShift: candidates must be finite numbers, at least one');
  const curve = candidates.map((shift) => ({
    shift,
    accuracy: shiftedAccuracy(logits, labels, classes, classIndex, shift),
  }));
  const best = curve.reduce((a, b) =>
    b.accuracy > a.accuracy || (b.accuracy === a.accuracy && b.shift < a.shift) ? b : a,
  );
  return { shift: best.shift, accuracy: best.accuracy, curve };
}
