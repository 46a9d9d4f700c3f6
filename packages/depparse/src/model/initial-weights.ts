// How a net's weights start: drawn at random (a net about to be trained), or unwritten memory standing
// in for weights that a model file replaces at once (loading). Drawing them cost a cold `lab parse` about a
// sixth of its time: 1.7 million normal and uniform draws for the parser, then thrown away.
import { type Initializer, normal } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

export type InitialWeights = 'random' | 'placeholder';

interface OutputBackend {
  makeOutput?: (shape: number[], dtype: 'float32') => tf.TensorInfo;
}

/**
 * A float32 tensor whose memory is left as allocated (the wasm backend's heap: pages never written
 * are not even faulted in, which zeros cost a cold `lab parse` twice over, in a JavaScript array and
 * in the heap); zeros on other backends. Only for weights that a model file overwrites at once.
 */
const unwritten: Initializer = (shape) => {
  const b = tf.backend() as unknown as OutputBackend;
  if (tf.getBackend() === 'wasm' && typeof b.makeOutput === 'function')
    return tf.engine().makeTensorFromTensorInfo(b.makeOutput(shape, 'float32'));
  return tf.zeros(shape);
};

/** The initialisers of a net's layers: the random ones it was written with, or unwritten placeholders for all. */
export function initializers(weights: InitialWeights) {
  const random = weights === 'random';
  return {
    /** An embedding's: N(0, sigma^2). */
    embedding: (sigma: number): Initializer => (random ? normal(sigma) : unwritten),
    /** A dense layer's options: its own defaults (or `kernel`) drawing from the rng, or placeholders. */
    dense: (kernel?: Initializer): { kernelInit?: Initializer; biasInit?: Initializer } =>
      random ? (kernel ? { kernelInit: kernel } : {}) : { kernelInit: unwritten, biasInit: unwritten },
  };
}
