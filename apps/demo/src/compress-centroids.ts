// Deep Compression's last training stage on the compression page: after k-means sharing, only the
// centroids learn. Each step takes the loss's gradient with respect to the (shared) weight matrices
// and hands it to @lab/compress's SharedWeights.fineTuneStep, which sums it per cluster, steps the
// centroids and writes them back into the weights — so every weight stays one of its layer's
// centroids and pruned weights stay exactly zero. Biases are left as they are (Han et al. tune the
// codebooks only).
import type { SharedWeights } from '@lab/compress';
import { adam, type Module, Optimizer, Rng, valueAndGrads } from '@lab/core';
import { type ClassifierData, softmaxCrossEntropy } from '@lab/finetune';
import { dispose, gather, type Scalar, tensor1d, tidy, type Variable } from '@tensorflow/tfjs-core';

export interface CentroidTuning {
  epochs: number;
  /** Default 64. */
  batchSize?: number;
  /** Adam's learning rate on the centroids. Default 1e-4 (as the deep-compression bench). */
  learningRate?: number;
  /** Seeds the batch order. Default 0. */
  seed?: number;
}

/**
 * Trains the centroids of `shared` (which clustered `weights`, the net's weight matrices) on `data`;
 * returns each epoch's mean cross-entropy. Leaves no tensor behind.
 */
export function fineTuneCentroids(
  net: Module,
  shared: SharedWeights,
  weights: Readonly<Record<string, Variable>>,
  data: ClassifierData,
  { epochs, batchSize = 64, learningRate = 1e-4, seed = 0 }: CentroidTuning,
): number[] {
  for (const [name, v] of [
    ['epochs', epochs],
    ['batchSize', batchSize],
  ] as const)
    if (!Number.isInteger(v) || v < (name === 'epochs' ? 0 : 1))
      throw new RangeError(`fineTuneCentroids: ${name} must be a whole number, got ${v}`);
  const n = data.labels.length;
  if (data.x.shape[0] !== n || n === 0)
    throw new RangeError(`fineTuneCentroids: ${data.x.shape[0]} inputs for ${n} labels`);
  const optimizer = new Optimizer(adam(learningRate), shared.centroids);
  const rng = new Rng(seed);
  const losses: number[] = [];
  try {
    for (let e = 0; e < epochs; e++) {
      const order = rng.permutation(n);
      let total = 0;
      for (let start = 0; start < n; start += batchSize) {
        const idx = order.subarray(start, Math.min(n, start + batchSize));
        const { value, grads } = valueAndGrads(
          () =>
            tidy(() => {
              const i = tensor1d(idx, 'int32');
              const labels = tensor1d(
                Int32Array.from(idx, (k) => data.labels[k]!),
                'int32',
              );
              return softmaxCrossEntropy(net.forward(gather(data.x, i)), labels) as Scalar;
            }),
          weights,
        );
        try {
          shared.fineTuneStep(grads, optimizer);
          total += value.dataSync()[0]! * idx.length;
        } finally {
          dispose([value, ...Object.values(grads)]);
        }
      }
      losses.push(total / n);
    }
    return losses;
  } finally {
    optimizer.dispose();
  }
}
