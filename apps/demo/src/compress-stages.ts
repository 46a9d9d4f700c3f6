// The compression page's pipeline on the shipped LeNet-300-100, with @lab/compress's API only: load it
// from the compressed file, the sensitivity analysis, then Deep Compression's stages — prune each
// layer to the sparsity its sensitivity allows within a tolerance, share the surviving weights
// through k-means codebooks, Huffman-code the file — scoring the model after each stage. Retraining
// after pruning (Han et al. do it) runs @lab/finetune's fitClassifier with core's keepPruned, through
// the MaskSet's transform, last in the chain, so that pruned weights stay exactly zero; after sharing,
// the centroids are fine-tuned (compress-centroids.ts) on the same training images.
import {
  chooseSparsities,
  decodeCompressed,
  decodedToTensors,
  encodeCompressed,
  MaskSet,
  type SensitivityResult,
  SharedWeights,
  type SizeReport,
  sensitivityAnalysis,
} from '@lab/compress';
import { adam, chain, Dense, ReLU, Rng, Sequential } from '@lab/core';
import { type ClassifierData, fitClassifier } from '@lab/finetune';
import * as tf from '@tensorflow/tfjs-core';
import { fineTuneCentroids } from './compress-centroids.js';

/** 784-300-100-10 with ReLUs: the net scripts/train-lenet300.mjs trained. */
export function lenet300(): Sequential {
  const rng = new Rng(0);
  return new Sequential([
    new Dense(784, 300, { rng }),
    ReLU(),
    new Dense(300, 100, { rng }),
    ReLU(),
    new Dense(100, 10, { rng }),
  ]);
}

/**
 * A LeNet-300-100 with the weights of a compressed file (decodeCompressed checks every byte of it and
 * throws a CompressedFileError naming the section; loadStateDict refuses missing or misshapen tensors).
 */
export function loadLenet(bytes: Uint8Array): Sequential {
  // decoded first: a broken file throws before a net exists to leak
  const tensors = decodedToTensors(decodeCompressed(bytes).tensors);
  const net = lenet300();
  try {
    net.loadStateDict(tensors);
    return net;
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** Accuracy of `net` on flattened images in [0, 1] ([n, 784]) and their labels. */
export function accuracy(net: Sequential, x: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => {
    const predicted = tf.argMax(net.forward(x), 1);
    return tf.mean(tf.cast(tf.equal(predicted, labels), 'float32')).dataSync()[0]!;
  });
}

export interface Stage {
  name: string;
  bytes: number;
  accuracy: number;
}

export interface CompressionResult {
  /** Per layer: the sparsity chosen from the sensitivity analysis. */
  sparsities: Record<string, number>;
  /** float32, pruned, shared, Huffman-coded, the whole file: sizes as Deep Compression's tables count them. */
  stages: Stage[];
  report: SizeReport;
  file: Uint8Array;
}

export interface CompressOptions {
  /** Accuracy a layer's pruning may cost (absolute, e.g. 0.005). */
  tolerance: number;
  /** Codebook-index bits of the weight sharing. */
  bits: number;
  /** Epochs of retraining the pruned net on `train` (0: none). */
  retrainEpochs?: number;
  /** Epochs of fine-tuning the shared weights' centroids on `train` (0: none). */
  centroidEpochs?: number;
  train?: ClassifierData;
}

/**
 * The stages on a fresh copy of the shipped net: prune by the sensitivity analysis, share, encode,
 * and decode the file into another net to score what the file holds. Leaves no tensor behind.
 */
export function compressStages(
  shipped: Uint8Array,
  sensitivity: SensitivityResult,
  evaluate: (net: Sequential) => number,
  o: CompressOptions,
): CompressionResult {
  const net = loadLenet(shipped);
  const masks = new MaskSet(net);
  try {
    const baseline = evaluate(net);
    const chosen = chooseSparsities(sensitivity, o.tolerance);
    const sparsities = Object.fromEntries(chosen.map((c) => [c.layer, c.sparsity]));
    masks.prune({ kind: 'sparsity', sparsity: sparsities });
    const pruned = evaluate(net);
    const retrainEpochs = o.retrainEpochs ?? 0;
    const centroidEpochs = o.centroidEpochs ?? 0;
    if ((retrainEpochs > 0 || centroidEpochs > 0) && !o.train)
      throw new Error('compressStages: retraining and centroid tuning need training data');
    let retrained: number | undefined;
    if (retrainEpochs > 0 && o.train) {
      fitClassifier({
        module: net,
        data: o.train,
        transform: chain(adam(1e-3), masks.transform()),
        epochs: retrainEpochs,
        batchSize: 64,
        seed: 0,
      });
      retrained = evaluate(net);
    }
    const shared = new SharedWeights(masks.weights, { bits: o.bits, init: 'linear' });
    let sharedAccuracy: number;
    let tuned: number | undefined;
    try {
      sharedAccuracy = evaluate(net);
      if (centroidEpochs > 0 && o.train) {
        fineTuneCentroids(net, shared, masks.weights, o.train, { epochs: centroidEpochs, seed: 0 });
        tuned = evaluate(net);
      }
    } finally {
      shared.dispose();
    }
    const { bytes, report } = encodeCompressed(net.stateDict(), {
      weightBits: Object.fromEntries(Object.keys(masks.weights).map((k) => [k, o.bits])),
      metadata: { model: 'lenet-300-100', stage: 'pruned + shared + huffman' },
    });
    const decoded = loadLenet(bytes);
    const fileAccuracy = evaluate(decoded);
    decoded.dispose();
    const t = report.total;
    return {
      sparsities,
      report,
      file: bytes,
      stages: [
        { name: 'float32', bytes: t.denseBytes, accuracy: baseline },
        { name: 'pruned', bytes: t.prunedBytes, accuracy: pruned },
        ...(retrained === undefined
          ? []
          : [{ name: `retrained ${retrainEpochs} epochs`, bytes: t.prunedBytes, accuracy: retrained }]),
        { name: `shared (${o.bits}-bit codes)`, bytes: t.quantizedBytes, accuracy: sharedAccuracy },
        ...(tuned === undefined
          ? []
          : [{ name: `centroids tuned ${centroidEpochs} epochs`, bytes: t.quantizedBytes, accuracy: tuned }]),
        { name: 'Huffman-coded', bytes: t.huffmanBytes, accuracy: fileAccuracy },
        { name: 'the file (with header)', bytes: report.fileBytes, accuracy: fileAccuracy },
      ],
    };
  } finally {
    masks.dispose();
    net.dispose();
  }
}

/** The sensitivity analysis of the shipped net: each layer alone at 0-95% sparsity. */
export async function sensitivityOf(
  shipped: Uint8Array,
  evaluate: (net: Sequential) => number,
  onProbe: (done: number) => void,
): Promise<SensitivityResult> {
  const net = loadLenet(shipped);
  let done = 0;
  try {
    return await sensitivityAnalysis(net, {
      evaluate: () => evaluate(net),
      onProbe: () => onProbe(++done),
    });
  } finally {
    net.dispose();
  }
}
