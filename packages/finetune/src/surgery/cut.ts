// Cutting a tree of Sequentials at a layer. New containers are built around the same layer objects,
// so the body keeps its weights and its state-dict names ('0.3.weight' stays '0.3.weight'); the layers
// cut off are returned for the caller to dispose or reuse.
import { type Module, Sequential } from '@lab/core';
import { SurgeryError } from './errors.js';
import { locateLayer } from './locate.js';

export interface CutOptions {
  /** Keep the layer cut at (true, Keras's `get_layer(name).output`) or stop just before it. Default true. */
  inclusive?: boolean;
}

export interface CutResult {
  /** The layers up to the cut, in Sequentials shaped like the original's. */
  body: Sequential;
  /** The layers after the cut (and the layer itself when not inclusive), outermost last. */
  removed: Module[];
}

function cutLevel(
  seq: Sequential,
  indices: readonly number[],
  inclusive: boolean,
  removed: Module[],
): Sequential {
  const [i, ...rest] = indices as [number, ...number[]];
  let kept: Module[];
  if (rest.length === 0) {
    kept = seq.layers.slice(0, inclusive ? i + 1 : i);
  } else {
    const inner = cutLevel(seq.layers[i] as Sequential, rest, inclusive, removed);
    kept = [...seq.layers.slice(0, i), inner];
  }
  removed.push(...seq.layers.slice(kept.length));
  return new Sequential(kept, seq.name);
}

/** The body of `model` up to the layer `at` (a dotted path or a unique module name), as a feature extractor. */
export function cutAt(model: Sequential, at: string, { inclusive = true }: CutOptions = {}): CutResult {
  const { indices } = locateLayer(model, at);
  if (!inclusive && indices.length === 1 && indices[0] === 0)
    throw new SurgeryError('at', `cutting before the first layer '${at}' leaves nothing`);
  const removed: Module[] = [];
  const body = cutLevel(model, indices, inclusive, removed);
  return { body, removed };
}

/** `model`'s layers followed by `layers`, in a new Sequential (the layers are shared, not copied). */
export function appendLayers(model: Sequential, layers: readonly Module[]): Sequential {
  return new Sequential([...model.layers, ...layers], model.name);
}
