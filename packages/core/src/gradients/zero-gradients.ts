// Comparisons and logical ops are piecewise constant: their gradient is zero almost everywhere.
// tfjs registers none for these, so a second derivative through leakyRelu (whose gradient calls
// greater()) fails with "gradient function not found for Greater". Registering zeros makes double
// backprop (WGAN-GP, DRAGAN) work. Kernels tfjs already covers (GreaterEqual, Sign, Floor...) are
// left to tfjs.
import { type GradConfig, type Tensor, zerosLike } from '@tensorflow/tfjs-core';

const BINARY = ['Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr', 'LogicalXor'];
const UNARY = ['LogicalNot'];

export const zeroGradConfigs: readonly GradConfig[] = [
  ...BINARY.map(
    (kernelName): GradConfig => ({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy: Tensor | Tensor[], [a, b]: Tensor[]) => ({
        a: () => zerosLike(a!),
        b: () => zerosLike(b!),
      }),
    }),
  ),
  ...UNARY.map(
    (kernelName): GradConfig => ({
      kernelName,
      inputsToSave: ['x'],
      gradFunc: (_dy: Tensor | Tensor[], [x]: Tensor[]) => ({ x: () => zerosLike(x!) }),
    }),
  ),
];
