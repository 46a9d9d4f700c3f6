// Replacing a classifier head for a new set of classes: a freshly initialised Dense of the same input
// size in the same place (so the state-dict names stay), optionally starting from the old head's
// weights for the classes the two tasks share.
import { Dense, type DenseOptions, type Module, Sequential } from '@lab/core';
import { type TypedArray, tensor, type Variable } from '@tensorflow/tfjs-core';
import { namedModules } from '../module-tree.js';
import { SurgeryError } from './errors.js';
import { locateLayer } from './locate.js';

export interface ReplaceHeadOptions extends Pick<DenseOptions, 'rng' | 'kernelInit' | 'biasInit'> {
  /** The head to replace (a dotted path or unique name). Default: the last Dense of the tree. */
  at?: string;
  /** [old class, new class] pairs whose weights (kernel column and bias) the new head starts from. */
  keepClasses?: ReadonlyArray<readonly [number, number]>;
}

export interface ReplaceHeadResult {
  model: Sequential;
  head: Dense;
  /** The old head, no longer in `model`: dispose it when done. */
  oldHead: Dense;
}

/** [old, new] class pairs for labels present in both lists, e.g. overlapByLabel(['cat', 'dog'], ['dog', 'fox']) = [[1, 0]]. */
export function overlapByLabel(
  oldLabels: readonly string[],
  newLabels: readonly string[],
): [number, number][] {
  const oldIndex = new Map(oldLabels.map((l, i) => [l, i]));
  return newLabels.flatMap((l, j) => {
    const i = oldIndex.get(l);
    return i === undefined ? [] : [[i, j] as [number, number]];
  });
}

function lastDensePath(model: Sequential): string {
  const dense = namedModules(model).filter(([, m]) => m instanceof Dense);
  const last = dense[dense.length - 1];
  if (!last) throw new SurgeryError('at', 'the model has no Dense layer to replace');
  return last[0];
}

function checkPairs(
  pairs: ReadonlyArray<readonly [number, number]>,
  oldClasses: number,
  classes: number,
): void {
  const seen = new Set<number>();
  for (const [k, pair] of pairs.entries()) {
    const [from, to] = (Array.isArray(pair) ? pair : [Number.NaN, Number.NaN]) as [number, number];
    if (!(Number.isInteger(from) && from >= 0 && from < oldClasses))
      throw new SurgeryError(`keepClasses[${k}]`, `old class ${from} is not in [0, ${oldClasses})`);
    if (!(Number.isInteger(to) && to >= 0 && to < classes))
      throw new SurgeryError(`keepClasses[${k}]`, `new class ${to} is not in [0, ${classes})`);
    if (seen.has(to)) throw new SurgeryError(`keepClasses[${k}]`, `new class ${to} is given twice`);
    seen.add(to);
  }
}

function assignValues(v: Variable, values: TypedArray): void {
  const t = tensor(values, v.shape, v.dtype);
  v.assign(t);
  t.dispose();
}

/** Copies kernel columns and bias entries old -> new for each [old, new] class pair. */
function copyClasses(from: Dense, to: Dense, pairs: ReadonlyArray<readonly [number, number]>): void {
  const w = from.weight.dataSync();
  const nw = to.weight.dataSync().slice();
  for (let r = 0; r < from.inFeatures; r++) {
    for (const [o, n] of pairs) nw[r * to.outFeatures + n] = w[r * from.outFeatures + o]!;
  }
  assignValues(to.weight, nw);
  if (from.bias && to.bias) {
    const b = from.bias.dataSync();
    const nb = to.bias.dataSync().slice();
    for (const [o, n] of pairs) nb[n] = b[o]!;
    assignValues(to.bias, nb);
  }
}

/** `model` with its head (default: the last Dense) replaced by a new Dense with `classes` outputs. */
export function replaceHead(
  model: Sequential,
  classes: number,
  options: ReplaceHeadOptions = {},
): ReplaceHeadResult {
  if (!(Number.isInteger(classes) && classes > 0))
    throw new SurgeryError('classes', `must be a positive integer, got ${classes}`);
  const { indices, module } = locateLayer(model, options.at ?? lastDensePath(model));
  if (!(module instanceof Dense))
    throw new SurgeryError('at', `'${options.at}' is a ${module.name}, not a Dense head`);
  const head = new Dense(module.inFeatures, classes, {
    bias: module.bias !== undefined,
    name: module.name,
    ...(options.rng && { rng: options.rng }),
    ...(options.kernelInit && { kernelInit: options.kernelInit }),
    ...(options.biasInit && { biasInit: options.biasInit }),
  });
  if (options.keepClasses) {
    try {
      checkPairs(options.keepClasses, module.outFeatures, classes);
    } catch (e) {
      head.dispose();
      throw e;
    }
    copyClasses(module, head, options.keepClasses);
  }
  const rebuilt = swap(model, indices, head);
  return { model: rebuilt, head, oldHead: module };
}

function swap(seq: Sequential, indices: readonly number[], replacement: Module): Sequential {
  const [i, ...rest] = indices as [number, ...number[]];
  const layers = seq.layers.slice();
  layers[i] = rest.length === 0 ? replacement : swap(seq.layers[i] as Sequential, rest, replacement);
  return new Sequential(layers, seq.name);
}
