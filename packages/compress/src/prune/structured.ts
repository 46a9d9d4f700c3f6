// Structured pruning: removes whole dense neurons or convolution output channels, so the layer
// really shrinks, and removes the matching inputs of the next weighted layer (through element-wise
// activations, dropout and a Flatten between a convolution and a dense layer).
import { Conv2d, Dense, Dropout, Lambda, type Module, Sequential } from '@lab/core';
import { gather, type Tensor, tensor1d, tidy } from '@tensorflow/tfjs-core';

export class StructuredPruningError extends Error {
  constructor(message: string) {
    super(`structured pruning: ${message}`);
    this.name = 'StructuredPruningError';
  }
}

export interface UnitPruningOptions {
  /** Index of the Dense or Conv2d layer in `model.layers`. */
  layer: number;
  /** Fraction of units (neurons or output channels) to remove, in [0, 1). */
  amount: number;
  /** Importance of a unit: the L1 (default, Li et al. 2017) or L2 norm of its weights. */
  norm?: 'l1' | 'l2';
}

export interface UnitPruningResult {
  /** The shrunk network; it holds the unchanged layers of the input, which must no longer be used. */
  model: Sequential;
  /** Indices (in the old layer) of the units kept, ascending. */
  kept: number[];
  /** Parameter counts before and after. */
  paramsBefore: number;
  paramsAfter: number;
}

// core's activations are Lambda layers named after their function
const ELEMENT_WISE = new Set(['relu', 'leakyRelu', 'tanh', 'sigmoid', 'cube']);
const isElementWise = (m: Module) =>
  m instanceof Dropout || (m instanceof Lambda && ELEMENT_WISE.has(m.name));
const isFlatten = (m: Module) => m instanceof Lambda && m.name === 'flatten';

/** Norm of each unit (last axis) of a [..., units] weight. */
export function unitNorms(w: Tensor, norm: 'l1' | 'l2' = 'l1'): Float64Array {
  const units = w.shape[w.rank - 1]!;
  const d = w.dataSync();
  const out = new Float64Array(units);
  for (let i = 0; i < d.length; i++) out[i % units]! += norm === 'l1' ? Math.abs(d[i]!) : d[i]! ** 2;
  if (norm === 'l2') for (let j = 0; j < units; j++) out[j] = Math.sqrt(out[j]!);
  return out;
}

function gathered(v: Tensor, indices: number[], axis: number): Tensor {
  return tidy(() => gather(v, tensor1d(indices, 'int32'), axis));
}

/**
 * Copies `old`'s kept weights and bias into `fresh`: output units along `outAxis` of the weight (and the
 * bias), input units along `inAxis`.
 */
function copyKept(
  old: Dense | Conv2d,
  fresh: Dense | Conv2d,
  keepIn: number[] | undefined,
  keepOut: number[] | undefined,
  inAxis: number,
  outAxis: number,
): void {
  let w: Tensor = keepOut ? gathered(old.weight, keepOut, outAxis) : old.weight.clone();
  if (keepIn) {
    const w2 = gathered(w, keepIn, inAxis);
    w.dispose();
    w = w2;
  }
  fresh.weight.assign(w);
  w.dispose();
  if (old.bias && fresh.bias) {
    const b = keepOut ? gathered(old.bias, keepOut, 0) : old.bias.clone();
    fresh.bias.assign(b);
    b.dispose();
  }
  fresh.training = old.training;
}

function replaceDense(old: Dense, keepIn: number[] | undefined, keepOut: number[] | undefined): Dense {
  const inF = keepIn?.length ?? old.inFeatures;
  const outF = keepOut?.length ?? old.outFeatures;
  const fresh = new Dense(inF, outF, { bias: old.bias !== undefined, name: old.name });
  copyKept(old, fresh, keepIn, keepOut, 0, 1);
  return fresh;
}

function replaceConv(old: Conv2d, keepIn: number[] | undefined, keepOut: number[] | undefined): Conv2d {
  const fresh = new Conv2d(
    keepIn?.length ?? old.inChannels,
    keepOut?.length ?? old.outChannels,
    old.kernelSize,
    {
      stride: old.stride,
      padding: old.padding,
      bias: old.bias !== undefined,
      name: old.name,
    },
  );
  copyKept(old, fresh, keepIn, keepOut, 2, 3);
  return fresh;
}

function checkPlain(m: Module, where: string): void {
  if (Object.keys(m.buffers()).length > 0)
    throw new StructuredPruningError(
      `${where} has buffers (spectral normalisation?), which are not supported`,
    );
}

/**
 * Removes the least important units of one Dense or Conv2d layer of a Sequential, and the inputs
 * they fed in the next weighted layer. The returned network is smaller; the removed layers are
 * disposed and the input network must not be used again.
 */
export function pruneUnits(model: Sequential, options: UnitPruningOptions): UnitPruningResult {
  const { layer, amount, norm = 'l1' } = options;
  const layers = model.layers;
  if (!Number.isInteger(layer) || layer < 0 || layer >= layers.length)
    throw new StructuredPruningError(`layer index ${layer} is outside 0..${layers.length - 1}`);
  if (!(amount >= 0 && amount < 1))
    throw new StructuredPruningError(`amount must be in [0, 1), got ${amount}`);
  const target = layers[layer]!;
  if (!(target instanceof Dense) && !(target instanceof Conv2d))
    throw new StructuredPruningError(`layer ${layer} ('${target.name}') is not a Dense or Conv2d layer`);
  checkPlain(target, `layer ${layer} ('${target.name}')`);
  const norms = unitNorms(target.weight, norm);
  const units = norms.length;
  const remove = Math.min(units - 1, Math.round(amount * units));
  const order = Array.from({ length: units }, (_, j) => j).sort((a, b) => norms[a]! - norms[b]! || a - b);
  const kept = order.slice(remove).sort((a, b) => a - b);
  return pruneUnitsByIndex(model, layer, kept);
}

/** Keeps exactly the given units (ascending indices) of layer `layer`; see pruneUnits. */
export function pruneUnitsByIndex(model: Sequential, layer: number, kept: number[]): UnitPruningResult {
  const layers = model.layers;
  const target = layers[layer];
  if (!(target instanceof Dense) && !(target instanceof Conv2d))
    throw new StructuredPruningError(`layer ${layer} is not a Dense or Conv2d layer`);
  const units = target instanceof Dense ? target.outFeatures : target.outChannels;
  if (kept.length === 0) throw new StructuredPruningError('at least one unit must be kept');
  for (const [i, j] of kept.entries())
    if (!Number.isInteger(j) || j < 0 || j >= units || (i > 0 && j <= kept[i - 1]!))
      throw new StructuredPruningError(`kept indices must be ascending integers in 0..${units - 1}`);
  // the next weighted layer, through layers that keep the unit axis
  let next = layer + 1;
  let flattened = false;
  while (next < layers.length && !(layers[next] instanceof Dense) && !(layers[next] instanceof Conv2d)) {
    const m = layers[next]!;
    if (isFlatten(m) && target instanceof Conv2d && !flattened) flattened = true;
    else if (!isElementWise(m))
      throw new StructuredPruningError(
        `layer ${next} ('${m.name}') between layer ${layer} and the next weighted layer is not element-wise`,
      );
    next++;
  }
  const paramsBefore = model.paramCount();
  const replaced = new Map<number, Module>();
  replaced.set(
    layer,
    target instanceof Dense ? replaceDense(target, undefined, kept) : replaceConv(target, undefined, kept),
  );
  if (next < layers.length) {
    const consumer = layers[next] as Dense | Conv2d;
    checkPlain(consumer, `layer ${next} ('${consumer.name}')`);
    let keepIn = kept;
    if (consumer instanceof Dense) {
      if (flattened) {
        // NHWC flatten: input feature s x C + c comes from channel c at spatial position s
        if (consumer.inFeatures % units !== 0)
          throw new StructuredPruningError(
            `layer ${next} input ${consumer.inFeatures} is not a multiple of ${units} channels`,
          );
        const spatial = consumer.inFeatures / units;
        keepIn = [];
        for (let s = 0; s < spatial; s++) for (const c of kept) keepIn.push(s * units + c);
      } else if (consumer.inFeatures !== units) {
        throw new StructuredPruningError(`layer ${next} takes ${consumer.inFeatures} inputs, not ${units}`);
      }
      replaced.set(next, replaceDense(consumer, keepIn, undefined));
    } else {
      if (flattened || consumer.inChannels !== units)
        throw new StructuredPruningError(`layer ${next} takes ${consumer.inChannels} channels, not ${units}`);
      replaced.set(next, replaceConv(consumer, keepIn, undefined));
    }
  }
  const shrunk = new Sequential(
    layers.map((m, i) => replaced.get(i) ?? m),
    model.name,
  );
  shrunk.training = model.training;
  for (const i of replaced.keys()) layers[i]!.dispose();
  return { model: shrunk, kept, paramsBefore, paramsAfter: shrunk.paramCount() };
}
