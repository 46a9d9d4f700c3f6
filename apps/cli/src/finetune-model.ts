// `lab finetune`'s network and its surgery: the W6 convnet (conv32-pool-conv64-pool-fc128, a linear
// head; the PyTorch peer's nn.Sequential, so its state_dict loads with layout 'torch'), cut after a
// named layer (with the activation and pooling that follow it) and given a new head.
import { Dense, Flatten, type Module, Rng, Sequential } from '@lab/core';
import { cutAt, outputShape, TRANSFER_CONVNET_LAYERS, transferConvnet } from '@lab/finetune';

/** The layers that can be cut at, input side first. */
export const CUT_LAYERS = TRANSFER_CONVNET_LAYERS;

/** conv32-conv64-fc128 with a `classes`-way head named 'head' (@lab/finetune's W6 network). */
export const finetuneConvnet = (classes: number, seed: number): Sequential => transferConvnet(classes, seed);

const ownsParameters = (m: Module) => Object.keys(m.parameters()).length > 0;

/**
 * The pretrained net cut after `layer` (keeping the parameter-free layers that follow it: its ReLU and
 * pooling) with a new `classes`-way Dense head (after a Flatten when the cut leaves a feature map).
 * Throws naming the valid layers for any other name. The layers cut off are disposed.
 */
export function cutWithNewHead(net: Sequential, layer: string, classes: number, seed: number): Sequential {
  if (!(CUT_LAYERS as readonly string[]).includes(layer))
    throw new RangeError(`--cut-at: no layer '${layer}' to cut at; valid layers: ${CUT_LAYERS.join(', ')}`);
  const { body, removed } = cutAt(net, layer);
  const following: Module[] = [];
  while (removed.length && !ownsParameters(removed[0]!)) following.push(removed.shift()!);
  for (const m of removed) m.dispose();
  const kept = [...body.layers, ...following];
  const shape = outputShape(new Sequential(kept), [28, 28, 1]);
  const features = shape.reduce((a, b) => a * b, 1);
  // shape includes the batch axis: [1, features] needs no Flatten, [1, h, w, c] does
  if (shape.length > 2) kept.push(Flatten());
  kept.push(new Dense(features, classes, { rng: new Rng(seed), name: 'head' }));
  return new Sequential(kept);
}
