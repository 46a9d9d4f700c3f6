// The classification loss of the fine-tuning trainers: mean softmax cross-entropy over a batch.
import {
  logSoftmax,
  mean,
  mul,
  neg,
  oneHot,
  type Scalar,
  sum,
  type Tensor,
  tidy,
} from '@tensorflow/tfjs-core';

/** mean_i(-log softmax(logits_i)[label_i]); labels an int32 tensor of class indices. */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Scalar {
  return tidy(() => {
    const classes = logits.shape[logits.shape.length - 1]!;
    return mean(neg(sum(mul(oneHot(labels, classes), logSoftmax(logits)), -1))) as Scalar;
  });
}
