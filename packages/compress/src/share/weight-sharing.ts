// Weight sharing (Deep Compression, section 3): the non-zero weights of each layer are clustered
// and replaced by their centroid; pruned weights stay exactly zero. The centroids are then
// fine-tuned: a centroid's gradient is the sum of the gradients of the weights that share it.
import { Rng } from '@lab/core';
import {
  dispose,
  gather,
  reshape,
  type Tensor,
  tensor,
  tidy,
  type Variable,
  variable,
  where,
  zerosLike,
} from '@tensorflow/tfjs-core';
import { type KMeansInit, kmeans1d } from './kmeans.js';

export interface ShareOptions {
  /**
   * Bits per codebook index, a number for all layers or per layer; a layer gets up to 2^bits - 1
   * clusters (code 0 is the zero of the sparse format). Default 8 for convolution kernels (rank 4),
   * 5 otherwise (Han et al.).
   */
  bits?: number | Readonly<Record<string, number>>;
  init?: KMeansInit;
  rng?: Rng;
  maxIterations?: number;
}

/** Default index bits: 8 for convolution kernels, 5 for dense matrices (Han et al.). */
export const defaultShareBits = (shape: readonly number[]): number => (shape.length === 4 ? 8 : 5);

/** Sums a dense gradient per cluster (entries with assignment -1, the pruned ones, are skipped). */
export function clusterGradientSums(
  grad: ArrayLike<number>,
  assignments: Int32Array,
  k: number,
): Float32Array {
  if (grad.length !== assignments.length)
    throw new RangeError(`clusterGradientSums: ${grad.length} gradients for ${assignments.length} weights`);
  const sums = new Float64Array(k);
  for (let i = 0; i < grad.length; i++) {
    const a = assignments[i]!;
    if (a >= 0) sums[a]! += grad[i]!;
  }
  return Float32Array.from(sums);
}

interface SharedLayer {
  weight: Variable;
  /** Cluster of each weight, -1 for pruned (zero) weights. */
  assignments: Int32Array;
  gatherIndex: Tensor;
  keep: Tensor;
  bits: number;
}

/**
 * Clusters the non-zero weights of each variable and owns the centroids (one Variable per layer,
 * keyed like the weights, to fine-tune with any @lab/core Optimizer).
 */
export class SharedWeights {
  readonly centroids: Record<string, Variable> = {};
  private readonly layers = new Map<string, SharedLayer>();

  constructor(weights: Readonly<Record<string, Variable>>, options: ShareOptions = {}) {
    const { bits, init = 'linear', rng = new Rng(0), maxIterations } = options;
    for (const [name, w] of Object.entries(weights)) {
      const b = bits === undefined ? defaultShareBits(w.shape) : typeof bits === 'number' ? bits : bits[name];
      if (b === undefined || !Number.isInteger(b) || b < 1 || b > 8)
        throw new RangeError(`SharedWeights: bits for '${name}' must be an integer in 1..8, got ${b}`);
      const values = w.dataSync() as Float32Array;
      const nz: number[] = [];
      for (let i = 0; i < values.length; i++) if (values[i] !== 0) nz.push(i);
      const km = kmeans1d(
        nz.map((i) => values[i]!),
        2 ** b - 1,
        { init, rng, maxIterations },
      );
      const assignments = new Int32Array(values.length).fill(-1);
      nz.forEach((i, j) => {
        assignments[i] = km.assignments[j]!;
      });
      // an all-zero layer still gets one (unused) centroid so gathers stay well defined
      const centroids = km.centroids.length ? km.centroids : new Float32Array(1);
      const init0 = tensor(centroids);
      this.centroids[name] = variable(init0, true);
      init0.dispose();
      this.layers.set(name, {
        weight: w,
        assignments,
        gatherIndex: tensor(
          assignments.map((a) => Math.max(a, 0)),
          w.shape,
          'int32',
        ),
        keep: tensor(
          Uint8Array.from(assignments, (a) => (a >= 0 ? 1 : 0)),
          w.shape,
          'bool',
        ),
        bits: b,
      });
    }
    this.syncWeights();
  }

  /** Cluster assignment of each weight of a layer (-1: pruned). */
  assignments(name: string): Int32Array {
    return this.layer(name).assignments;
  }
  bits(name: string): number {
    return this.layer(name).bits;
  }
  private layer(name: string): SharedLayer {
    const l = this.layers.get(name);
    if (!l) throw new Error(`SharedWeights: no layer '${name}'`);
    return l;
  }

  /** Writes centroid values into the weights (exact copies; pruned weights +0). */
  syncWeights(): void {
    for (const [name, l] of this.layers) {
      const w = tidy(() =>
        where(
          l.keep,
          reshape(gather(this.centroids[name]!, reshape(l.gatherIndex, [-1])), l.weight.shape),
          zerosLike(l.weight),
        ),
      );
      l.weight.assign(w);
      w.dispose();
    }
  }

  /**
   * Centroid gradients from dense weight gradients (keyed like the weights): the per-cluster sums.
   * The caller owns the returned tensors.
   */
  centroidGradients(weightGrads: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, l] of this.layers) {
      const g = weightGrads[name];
      if (!g) throw new Error(`SharedWeights.centroidGradients: no gradient for '${name}'`);
      out[name] = tensor(clusterGradientSums(g.dataSync(), l.assignments, this.centroids[name]!.size));
    }
    return out;
  }

  /** One fine-tuning step: centroid gradients into `optimizer.step`, then weights from centroids. */
  fineTuneStep(
    weightGrads: Readonly<Record<string, Tensor>>,
    optimizer: { step(g: Record<string, Tensor>): void },
  ): void {
    const g = this.centroidGradients(weightGrads);
    optimizer.step(g);
    dispose(Object.values(g));
    this.syncWeights();
  }

  dispose(): void {
    dispose(Object.values(this.centroids));
    for (const l of this.layers.values()) dispose([l.gatherIndex, l.keep]);
  }
}
