// The W6 benchmark's network (../shared/BENCHMARKS.md; the PyTorch peer's nn.Sequential, so its
// state_dict loads with layout 'torch'): conv32-pool-conv64-pool-fc128 and a linear head. `pnpm bench
// finetune` and `lab finetune` both build it from here.
import { Conv2d, Dense, Flatten, Lambda, ReLU, Rng, Sequential } from '@lab/core';
import { maxPool, type Tensor4D } from '@tensorflow/tfjs-core';

/** The layers that can be cut at (each with the activation and pooling after it), input side first. */
export const TRANSFER_CONVNET_LAYERS = ['conv1', 'conv2', 'fc'] as const;

const pool = () => new Lambda('maxPool', (x) => maxPool(x as Tensor4D, 2, 2, 'valid'));

/**
 * conv32-conv64-fc128 for 28x28x1 images with a `classes`-way head named 'head'; PyTorch's default
 * initialisation drawn from `seed`.
 */
export function transferConvnet(classes = 5, seed = 0): Sequential {
  if (!Number.isInteger(classes) || classes < 1)
    throw new RangeError(`transferConvnet: classes must be a positive integer; got ${classes}`);
  const rng = new Rng(seed);
  return new Sequential([
    new Conv2d(1, 32, 3, { padding: 1, rng, name: 'conv1' }),
    ReLU(),
    pool(),
    new Conv2d(32, 64, 3, { padding: 1, rng, name: 'conv2' }),
    ReLU(),
    pool(),
    Flatten(),
    new Dense(64 * 7 * 7, 128, { rng, name: 'fc' }),
    ReLU(),
    new Dense(128, classes, { rng, name: 'head' }),
  ]);
}
