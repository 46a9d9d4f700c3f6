// The two networks of Deep Compression's MNIST tables, as core Sequentials: LeNet-300-100 (a
// 784-300-100-10 perceptron) and Caffe's LeNet-5 (two 5x5 convolutions with 20 and 50 channels,
// each followed by 2x2 max pooling, then 800-500-10). Inputs are NHWC [batch, 28, 28, 1].
import { Conv2d, Dense, Flatten, Lambda, ReLU, Rng, Sequential } from '@lab/core';
import { maxPool, type Tensor4D } from '@tensorflow/tfjs-core';

export type ModelName = 'lenet-300-100' | 'lenet-5';
export const MODEL_NAMES: readonly ModelName[] = ['lenet-300-100', 'lenet-5'];

const MaxPool2 = () => new Lambda('maxPool', (x) => maxPool(x as Tensor4D, 2, 2, 'valid'));

export function lenet300100(rng = new Rng(0)): Sequential {
  return new Sequential(
    [
      Flatten(),
      new Dense(784, 300, { rng }),
      ReLU(),
      new Dense(300, 100, { rng }),
      ReLU(),
      new Dense(100, 10, { rng }),
    ],
    'lenet-300-100',
  );
}

export function lenet5(rng = new Rng(0)): Sequential {
  return new Sequential(
    [
      new Conv2d(1, 20, 5, { padding: 'valid', rng }),
      MaxPool2(),
      new Conv2d(20, 50, 5, { padding: 'valid', rng }),
      MaxPool2(),
      Flatten(),
      new Dense(800, 500, { rng }),
      ReLU(),
      new Dense(500, 10, { rng }),
    ],
    'lenet-5',
  );
}

/** The network of that name, or a RangeError listing the known names. */
export function buildModel(name: string, rng = new Rng(0)): Sequential {
  if (name === 'lenet-300-100') return lenet300100(rng);
  if (name === 'lenet-5') return lenet5(rng);
  throw new RangeError(`unknown model '${name}' (${MODEL_NAMES.join(', ')})`);
}
