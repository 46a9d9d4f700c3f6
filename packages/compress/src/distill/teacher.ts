// Teachers give soft targets: the softmax of their logits at temperature T. An ensemble teacher
// averages several nets; a dropout teacher averages one net over many sampled dropout masks (each
// mask a "thinned" sub-network, Srivastava et al.), or with samples = 0 runs the weight-scaled net,
// which inverted dropout makes the eval-mode forward. Averaging is in logit space (the geometric
// mean of the members' distributions, renormalised) or probability space (the arithmetic mean).
import type { Module } from '@lab/core';
import { add, div, mul, softmax, type Tensor, tidy } from '@tensorflow/tfjs-core';

export type EnsembleSpace = 'logits' | 'probabilities';

export interface Teacher {
  /** Soft targets [n, C] at temperature T for inputs x; the caller owns the tensor. */
  targets(x: Tensor, temperature: number): Tensor;
}

export interface EnsembleOptions {
  /** Where members are averaged. Default 'probabilities'. */
  space?: EnsembleSpace;
}

export interface DropoutTeacherOptions extends EnsembleOptions {
  /** Sampled masks per input; 0 = the weight-scaled (eval-mode) net. Default 0. */
  samples?: number;
}

function checkSpace(space: string): EnsembleSpace {
  if (space !== 'logits' && space !== 'probabilities')
    throw new RangeError(`space must be 'logits' or 'probabilities', got '${space}'`);
  return space;
}

function checkTemperature(t: number): void {
  if (!(Number.isFinite(t) && t > 0))
    throw new RangeError(`temperature must be a finite number > 0, got ${t}`);
}

/**
 * Runs fn with `model` in the given mode, then puts the root's previous mode back on every submodule
 * (a model with submodules in mixed modes comes back uniform).
 */
export function withMode<T>(model: Module, training: boolean, fn: () => T): T {
  const before = model.training;
  model.train(training);
  try {
    return fn();
  } finally {
    model.train(before);
  }
}

/** Averages `count` members' logits in the chosen space, then applies the softmax at T. */
function average(
  count: number,
  logitsOf: (i: number) => Tensor,
  temperature: number,
  space: EnsembleSpace,
): Tensor {
  return tidy(() => {
    let acc: Tensor | undefined;
    for (let i = 0; i < count; i++) {
      const logits = logitsOf(i);
      const term = space === 'logits' ? logits : softmax(mul(logits, 1 / temperature));
      acc = acc ? add(acc, term) : term;
    }
    const meanTerm = div(acc!, count);
    return space === 'logits' ? softmax(mul(meanTerm, 1 / temperature)) : meanTerm;
  });
}

/** Several nets (each run in eval mode) averaged into one teacher. */
export function ensembleTeacher(
  models: readonly Module[],
  { space = 'probabilities' }: EnsembleOptions = {},
): Teacher {
  if (models.length === 0) throw new RangeError('ensembleTeacher: give at least one model');
  checkSpace(space);
  return {
    targets(x, temperature) {
      checkTemperature(temperature);
      return average(
        models.length,
        (i) => withMode(models[i]!, false, () => models[i]!.forward(x)),
        temperature,
        space,
      );
    },
  };
}

/** One net with dropout, averaged over `samples` sampled masks (fresh masks per call), or weight-scaled. */
export function dropoutTeacher(
  model: Module,
  { samples = 0, space = 'probabilities' }: DropoutTeacherOptions = {},
): Teacher {
  if (!Number.isInteger(samples) || samples < 0)
    throw new RangeError(`dropoutTeacher: samples must be a whole number >= 0, got ${samples}`);
  checkSpace(space);
  return {
    targets(x, temperature) {
      checkTemperature(temperature);
      if (samples === 0)
        return tidy(() =>
          softmax(
            mul(
              withMode(model, false, () => model.forward(x)),
              1 / temperature,
            ),
          ),
        );
      return withMode(model, true, () => average(samples, () => model.forward(x), temperature, space));
    },
  };
}
