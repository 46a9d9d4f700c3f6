// Comparisons and logical ops are piecewise constant: their gradient is zero almost everywhere.
// tfjs registers none for these, so a second derivative through leakyRelu (whose gradient calls
// greater()) fails with "gradient function not found for Greater". Registering zeros makes double
// backprop (WGAN-GP, DRAGAN) work. Kernels tfjs already covers (GreaterEqual, Sign, Floor...) are
// left to tfjs. Gradients must be float32 (tfjs's tape rejects others), so not zerosLike of a bool input.
import { type GradConfig, type Tensor, zeros } from '@tensorflow/tfjs-core';

const BINARY = ['Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr', 'LogicalXor'];
const UNARY = ['LogicalNot'];

export const zeroGradConfigs: readonly GradConfig[] = [
  ...BINARY.map(
    (kernelName): GradConfig => ({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy: Tensor | Tensor[], [a, b]: Tensor[]) => ({
        a: () => zeros(a!.shape),
        b: () => zeros(b!.shape),
      }),
    }),
  ),
  ...UNARY.map(
    (kernelName): GradConfig => ({
      kernelName,
      inputsToSave: ['x'],
      gradFunc: (_dy: Tensor | Tensor[], [x]: Tensor[]) => ({ x: () => zeros(x!.shape) }),
    }),
  ),
];
