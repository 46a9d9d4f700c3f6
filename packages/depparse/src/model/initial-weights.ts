// How a net's weights start: drawn at random (a net about to be trained), or zeros standing in for
// weights that a model file replaces at once (loading). Drawing them cost a cold `lab parse` about a
// sixth of its time: 1.7 million normal and uniform draws for the parser, then thrown away.
import { type Initializer, normal } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

export type InitialWeights = 'random' | 'placeholder';

const zeros: Initializer = (shape) => tf.zeros(shape);

/** The initialisers of a net's layers: the random ones it was written with, or zeros for all. */
export function initializers(weights: InitialWeights) {
  const random = weights === 'random';
  return {
    /** An embedding's: N(0, sigma^2). */
    embedding: (sigma: number): Initializer => (random ? normal(sigma) : zeros),
    /** A dense layer's options: its own defaults (or `kernel`) drawing from the rng, or zeros. */
    dense: (kernel?: Initializer): { kernelInit?: Initializer; biasInit?: Initializer } =>
      random ? (kernel ? { kernelInit: kernel } : {}) : { kernelInit: zeros, biasInit: zeros },
  };
}
