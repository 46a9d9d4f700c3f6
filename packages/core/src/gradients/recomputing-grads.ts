// tfjs 4.22 drops second derivatives through any gradient that reads the op's saved *output*:
// the engine saves an output by cloning it, and the clone's tape node is pushed before the node of
// the op that produced it, so the tape filter never links the clone to the op's inputs. The path
// through y = tanh(x) inside tanh's own gradient (1 - y^2) is then lost, and the gradient of a
// gradient penalty through tanh, sigmoid or exp comes out wrong without any error. These configs
// save inputs only and recompute the output, which keeps every path on the tape.
import {
  add,
  Elu,
  Exp,
  elu,
  exp,
  type GradConfig,
  greater,
  mul,
  type NamedAttrMap,
  Sigmoid,
  Softmax,
  type SoftmaxAttrs,
  sigmoid,
  softmax,
  square,
  sub,
  sum,
  Tanh,
  type Tensor,
  tanh,
  where,
} from '@tensorflow/tfjs-core';

export const recomputingGradConfigs: readonly GradConfig[] = [
  {
    kernelName: Tanh,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => mul(dy as Tensor, sub(1, square(tanh(x!)))) }),
  },
  {
    kernelName: Sigmoid,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({
      x: () => {
        const y = sigmoid(x!);
        return mul(dy as Tensor, mul(y, sub(1, y)));
      },
    }),
  },
  {
    kernelName: Exp,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => mul(dy as Tensor, exp(x!)) }),
  },
  {
    kernelName: Softmax,
    inputsToSave: ['logits'],
    gradFunc: (dy, [logits], attrs: NamedAttrMap) => ({
      logits: () => {
        const { dim } = attrs as unknown as SoftmaxAttrs;
        const y = softmax(logits!, dim);
        const dyTimesY = mul(dy as Tensor, y);
        return sub(dyTimesY, mul(sum(dyTimesY, [dim], true), y));
      },
    }),
  },
  {
    kernelName: Elu,
    inputsToSave: ['x'],
    // d/dx elu(x) = 1 for x > 0, elu(x) + 1 = exp(x) otherwise
    gradFunc: (dy, [x]) => ({ x: () => mul(dy as Tensor, where(greater(x!, 0), 1, add(elu(x!), 1))) }),
  },
];
