// Hinton et al.'s MNIST nets: fully connected ReLU layers, optionally with dropout on the input and
// after each hidden layer (the large teacher used 20% and 50%).
import { Dense, Dropout, type Module, ReLU, Rng, Sequential } from '@lab/core';

export interface MlpOptions {
  /** Dropout rate on the input. Default 0. */
  inputDropout?: number;
  /** Dropout rate after each hidden layer. Default 0. */
  hiddenDropout?: number;
  rng?: Rng;
  name?: string;
}

/** A Sequential of Dense layers of `sizes` (input first, classes last) with ReLU between them. */
export function mlp(
  sizes: readonly number[],
  { inputDropout = 0, hiddenDropout = 0, rng = new Rng(0), name = 'mlp' }: MlpOptions = {},
): Sequential {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1))
    throw new RangeError(`mlp: sizes must be at least two positive integers, got [${sizes.join(', ')}]`);
  const layers: Module[] = [];
  if (inputDropout > 0) layers.push(new Dropout(inputDropout, { rng: new Rng(rng.seed()) }));
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Dense(sizes[i]!, sizes[i + 1]!, { rng: new Rng(rng.seed()) }));
    if (i + 2 < sizes.length) {
      layers.push(ReLU());
      if (hiddenDropout > 0) layers.push(new Dropout(hiddenDropout, { rng: new Rng(rng.seed()) }));
    }
  }
  return new Sequential(layers, name);
}

/** The last Dense layer of a Sequential (the output layer, whose bias the omitted-class fix raises). */
export function outputLayer(model: Sequential): Dense {
  const last = [...model.layers].reverse().find((l): l is Dense => l instanceof Dense);
  if (!last) throw new RangeError(`${model.name} has no Dense layer`);
  return last;
}
