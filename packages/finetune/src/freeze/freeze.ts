// Freezing by name pattern or by depth, with a choice for the BatchNorm layers in the frozen part:
// 'inference' (Keras: frozen BatchNorm normalises with its running statistics and leaves them alone),
// 'update' (parameters frozen, statistics still follow the batches: PyTorch's requires_grad=False),
// or 'train' (fastai's train_bn: BatchNorm layers stay trainable and keep updating).
import { BatchNorm, type Module } from '@lab/core';
import { namedModules, parameterisedModules } from '../module-tree.js';
import { holdInInference, releaseFromInference } from './batchnorm-mode.js';

export type FrozenBatchNorm = 'inference' | 'update' | 'train';

export interface FreezeOptions {
  /** BatchNorm layers in the frozen part. Default 'inference' (Keras's rule). */
  batchNorm?: FrozenBatchNorm;
}

export interface FreezeReport {
  /** Parameter names now frozen. */
  frozen: string[];
  /** BatchNorm layers in the frozen part, by path, and the mode they are in. */
  batchNorms: { path: string; mode: FrozenBatchNorm }[];
}

/** A name pattern as a RegExp: strings are Module.freeze's globs ('0.*', 'features', 'layer*.conv'). */
export function patternRegExp(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')); // test() without state
  if (typeof pattern !== 'string' || pattern === '')
    throw new TypeError(`pattern must be a RegExp or a non-empty glob string, got ${String(pattern)}`);
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}(\\.|$)`);
}

function checkMode(mode: unknown): FrozenBatchNorm {
  if (mode !== 'inference' && mode !== 'update' && mode !== 'train')
    throw new TypeError(`batchNorm must be 'inference', 'update' or 'train', got ${String(mode)}`);
  return mode;
}

const batchNormsOf = (model: Module) =>
  namedModules(model).filter((e): e is [string, BatchNorm] => e[1] instanceof BatchNorm);
const prefixed = (path: string, local: string) => (path ? `${path}.${local}` : local);

/** Freezes the parameters in `names` (a set of dotted names), handling BatchNorm layers by `mode`. */
function freezeNames(model: Module, names: ReadonlySet<string>, mode: FrozenBatchNorm): FreezeReport {
  const batchNorms: FreezeReport['batchNorms'] = [];
  const skip = new Set<string>();
  for (const [path, bn] of batchNormsOf(model)) {
    const own = [prefixed(path, 'weight'), prefixed(path, 'bias')];
    if (!own.some((n) => names.has(n))) continue;
    batchNorms.push({ path, mode });
    if (mode === 'inference') holdInInference(bn);
    else releaseFromInference(bn);
    if (mode === 'train') for (const n of own) skip.add(n);
  }
  const frozen: string[] = [];
  for (const [name, v] of Object.entries(model.parameters())) {
    if (!names.has(name) || skip.has(name)) continue;
    v.trainable = false;
    frozen.push(name);
  }
  return { frozen, batchNorms };
}

/** Freezes the parameters whose dotted names match `pattern` (a glob string or a RegExp). */
export function freezeLayers(
  model: Module,
  pattern: string | RegExp,
  options: FreezeOptions = {},
): FreezeReport {
  const mode = checkMode(options.batchNorm ?? 'inference');
  const re = patternRegExp(pattern);
  const names = new Set(Object.keys(model.parameters()).filter((k) => re.test(k)));
  return freezeNames(model, names, mode);
}

/**
 * Freezes the first `depth` layers that own parameters (in forward order, BatchNorm included) and
 * unfreezes the rest, as fastai's freeze_to: a negative depth leaves the last |depth| layers trainable.
 */
export function freezeTo(model: Module, depth: number, options: FreezeOptions = {}): FreezeReport {
  const mode = checkMode(options.batchNorm ?? 'inference');
  const layers = parameterisedModules(model);
  if (!Number.isInteger(depth) || Math.abs(depth) > layers.length)
    throw new RangeError(`depth must be an integer in [-${layers.length}, ${layers.length}], got ${depth}`);
  const cut = depth >= 0 ? depth : layers.length + depth;
  const frozenPaths = layers.slice(0, cut).map(([p]) => p);
  unfreezeLayers(model, (name) => !frozenPaths.some((p) => name.startsWith(p ? `${p}.` : '')));
  const names = new Set(
    Object.keys(model.parameters()).filter((k) => frozenPaths.some((p) => k.startsWith(p ? `${p}.` : ''))),
  );
  return freezeNames(model, names, mode);
}

/**
 * Makes the parameters matching `pattern` (default: all) trainable and gives their BatchNorm layers
 * back their training mode. Returns the names unfrozen.
 */
export function unfreezeLayers(
  model: Module,
  pattern: string | RegExp | ((name: string) => boolean) = /.*/,
): string[] {
  const re = typeof pattern === 'function' ? undefined : patternRegExp(pattern);
  const matches = re ? (n: string) => re.test(n) : (pattern as (name: string) => boolean);
  const hit: string[] = [];
  for (const [name, v] of Object.entries(model.parameters())) {
    if (!matches(name)) continue;
    v.trainable = true;
    hit.push(name);
  }
  for (const [path, bn] of batchNormsOf(model)) {
    if (hit.includes(prefixed(path, 'weight')) || hit.includes(prefixed(path, 'bias')))
      releaseFromInference(bn);
  }
  return hit;
}
