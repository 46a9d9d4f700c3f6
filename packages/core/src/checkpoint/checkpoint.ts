// Checkpoints: weights and buffers of modules, optimizer states, step, random state and config in
// one safetensors buffer, so that training resumes exactly. Tensors go in the data section; the
// structure of optimizer states and everything else goes in __metadata__ as JSON.
//
// Reading trusts nothing: the metadata is checked field by field (readCheckpoint), names from the file
// are looked up in Maps only, every module's tensors are compared with the module's own state (names,
// shapes) and every optimizer state with the optimizer's live state (structure, shapes) before a tensor
// is made, and non-finite weights are refused unless asked for.
import { type Tensor, tensor } from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.js';
import { isTensor, stateTensors } from '../optim/gradient-transformation.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { RngState } from '../random/rng.js';
import { CheckpointError } from './checkpoint-error.js';
import {
  decodeTensor,
  parseSafetensors,
  type RawTensor,
  type SafeDtype,
  serializeSafetensors,
  type TensorEntry,
} from './safetensors.js';

export interface CheckpointContent {
  modules?: Readonly<Record<string, Module>>;
  optimizers?: Readonly<Record<string, Optimizer<any>>>;
  step?: number;
  rng?: RngState;
  /** Any JSON-serialisable configuration (architecture, hyperparameters). */
  config?: unknown;
}

export interface RestoredCheckpoint {
  step: number;
  rng?: RngState;
  config?: unknown;
}

/** A checkpoint's validated contents, read without building anything. */
export interface CheckpointInfo extends RestoredCheckpoint {
  /** Every tensor of the file by name (raw bytes, not yet decoded). */
  tensors: ReadonlyMap<string, RawTensor>;
  /** Each optimizer's encoded state tree (tensor references checked against `tensors`). */
  optimizers: ReadonlyMap<string, unknown>;
}

export interface RestoreOptions {
  /**
   * Accept NaN or infinite module weights (default false: a checkpoint with them is refused, since
   * sampling, evaluating or resuming from them only spreads the NaNs).
   */
  allowNonFinite?: boolean;
}

const FORMAT = 'lab-checkpoint/1';
const NON_FINITE_NUMBERS = new Map([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
]);

const SAFE_DTYPES = new Map<string, SafeDtype>([
  ['float32', 'F32'],
  ['int32', 'I32'],
  ['bool', 'BOOL'],
]);

function entryOf(t: Tensor): TensorEntry {
  const dtype = SAFE_DTYPES.get(t.dtype);
  if (!dtype) throw new TypeError(`checkpoint: cannot store a ${t.dtype} tensor`);
  const data = t.dataSync() as Float32Array | Int32Array | Uint8Array;
  return { dtype, shape: t.shape, data: dtype === 'BOOL' ? Uint8Array.from(data) : data };
}

/** Replaces tensors of a state tree by references, collecting them under `prefix`. */
function encodeTree(tree: unknown, prefix: string, out: Record<string, TensorEntry>): unknown {
  if (isTensor(tree)) {
    out[prefix] = entryOf(tree);
    return { $tensor: prefix };
  }
  if (Array.isArray(tree)) return tree.map((v, i) => encodeTree(v, `${prefix}.${i}`, out));
  if (tree && typeof tree === 'object') {
    return Object.fromEntries(
      Object.entries(tree).map(([k, v]) => [k, encodeTree(v, `${prefix}.${k}`, out)]),
    );
  }
  if (typeof tree === 'number' && !Number.isFinite(tree)) return { $number: String(tree) };
  return tree;
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const own = (o: Record<string, unknown>, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined);

/** Checks an encoded state tree: tensor references name tensors of the file, numbers are numbers. */
function checkTree(tree: unknown, field: string, tensors: ReadonlyMap<string, RawTensor>): void {
  if (Array.isArray(tree)) {
    for (const [i, v] of tree.entries()) checkTree(v, `${field}[${i}]`, tensors);
    return;
  }
  if (!isPlainObject(tree)) return;
  if (Object.hasOwn(tree, '$tensor')) {
    const name = tree.$tensor;
    if (typeof name !== 'string')
      throw new CheckpointError('InvalidField', `${field}.$tensor`, `${JSON.stringify(name)} is not a name`);
    if (!tensors.has(name))
      throw new CheckpointError('MissingTensor', field, `refers to tensor '${name}', which the file lacks`);
    return;
  }
  if (Object.hasOwn(tree, '$number')) {
    const text = tree.$number;
    if (typeof text !== 'string' || !NON_FINITE_NUMBERS.has(text))
      throw new CheckpointError(
        'InvalidField',
        `${field}.$number`,
        `${JSON.stringify(text)} is not NaN, Infinity or -Infinity`,
      );
    return;
  }
  for (const [k, v] of Object.entries(tree)) checkTree(v, `${field}.${k}`, tensors);
}

/**
 * Reads and validates a checkpoint's metadata (format, step, random state, config, optimizer trees)
 * without making any tensor. Throws SafetensorsError for a broken file, CheckpointError for a file
 * that is not a valid @lab checkpoint; both name the field.
 */
export function readCheckpoint(bytes: Uint8Array): CheckpointInfo {
  const { tensors: raw, metadata } = parseSafetensors(bytes);
  const tensors = new Map(Object.entries(raw));
  const text = own(metadata, 'lab');
  if (typeof text !== 'string')
    throw new CheckpointError('NotACheckpoint', '__metadata__.lab', 'missing: not an @lab checkpoint');
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError('InvalidField', '__metadata__.lab', `not JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(meta))
    throw new CheckpointError('InvalidField', '__metadata__.lab', `${JSON.stringify(meta)} is not an object`);
  const format = own(meta, 'format');
  if (format !== FORMAT)
    throw new CheckpointError('NotACheckpoint', 'format', `${JSON.stringify(format)} is not '${FORMAT}'`);
  const step = own(meta, 'step') ?? 0;
  if (!Number.isSafeInteger(step) || (step as number) < 0)
    throw new CheckpointError('InvalidField', 'step', `${JSON.stringify(step)} is not an integer >= 0`);
  const rng = own(meta, 'rng') ?? null;
  if (rng !== null) {
    const state = isPlainObject(rng) ? own(rng, 'state') : undefined;
    if (!Number.isInteger(state) || (state as number) < 0 || (state as number) >= 2 ** 32)
      throw new CheckpointError('InvalidField', 'rng', `${JSON.stringify(rng)} is not { state: uint32 }`);
  }
  const encoded = own(meta, 'optimizers') ?? {};
  if (!isPlainObject(encoded))
    throw new CheckpointError('InvalidField', 'optimizers', `${JSON.stringify(encoded)} is not an object`);
  const optimizers = new Map(Object.entries(encoded));
  for (const [name, tree] of optimizers) checkTree(tree, `optimizers.${name}`, tensors);
  const config = own(meta, 'config') ?? undefined;
  return {
    step: step as number,
    rng: rng === null ? undefined : { state: (rng as { state: number }).state },
    config: config === null ? undefined : config,
    tensors,
    optimizers,
  };
}

/** Rebuilds a state tree from its encoding; `take` makes the tensor of a reference. */
function decodeTree(tree: unknown, take: (name: string) => Tensor): unknown {
  if (Array.isArray(tree)) return tree.map((v) => decodeTree(v, take));
  if (!isPlainObject(tree)) return tree;
  if (Object.hasOwn(tree, '$tensor')) return take(tree.$tensor as string);
  if (Object.hasOwn(tree, '$number')) return NON_FINITE_NUMBERS.get(tree.$number as string);
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, decodeTree(v, take)]));
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Checks that a restored state tree has the live state's structure, tensor shapes and dtypes. */
function checkSameStructure(saved: unknown, live: unknown, field: string): void {
  const fail: (what: string) => never = (what) => {
    throw new CheckpointError('ShapeMismatch', field, what);
  };
  if (isTensor(live)) {
    if (!isTensor(saved)) fail(`expected a tensor of shape ${shapeText(live.shape)}`);
    if (saved.shape.join() !== live.shape.join() || saved.dtype !== live.dtype)
      fail(
        `${saved.dtype} ${shapeText(saved.shape)} where the optimizer has ${live.dtype} ${shapeText(live.shape)}`,
      );
    return;
  }
  if (Array.isArray(live)) {
    if (!Array.isArray(saved) || saved.length !== live.length)
      fail(`expected a list of ${live.length} entries`);
    for (const [i, v] of live.entries()) checkSameStructure(saved[i], v, `${field}[${i}]`);
    return;
  }
  if (isPlainObject(live)) {
    if (!isPlainObject(saved) || isTensor(saved)) fail('expected an object');
    const keys = Object.keys(live).sort().join();
    if (Object.keys(saved).sort().join() !== keys)
      fail(`keys [${Object.keys(saved)}] where the optimizer has [${Object.keys(live)}]`);
    for (const k of Object.keys(live)) checkSameStructure(saved[k], live[k], `${field}.${k}`);
    return;
  }
  if (typeof saved !== typeof live || (saved === null) !== (live === null))
    fail(`${JSON.stringify(saved) ?? typeof saved} where the optimizer has a ${typeof live}`);
}

/** Throws when a decoded float tensor holds NaN or an infinity. */
function checkFinite(name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!))
      throw new CheckpointError(
        'NonFinite',
        name,
        `element ${i} is ${data[i]}: the weights are not finite (diverged training?)`,
      );
  }
}

/** Serialises a checkpoint to safetensors bytes. */
export function checkpointToBytes(content: CheckpointContent): Uint8Array {
  const tensors: Record<string, TensorEntry> = Object.create(null);
  for (const [m, mod] of Object.entries(content.modules ?? {})) {
    for (const [k, v] of Object.entries(mod.stateDict())) tensors[`module.${m}.${k}`] = entryOf(v);
  }
  const optimizers: Record<string, unknown> = {};
  for (const [o, opt] of Object.entries(content.optimizers ?? {})) {
    optimizers[o] = encodeTree(opt.getState(), `optim.${o}`, tensors);
  }
  const meta = {
    format: FORMAT,
    step: content.step ?? 0,
    rng: content.rng ?? null,
    config: content.config ?? null,
    optimizers,
  };
  return serializeSafetensors(tensors, { lab: JSON.stringify(meta) });
}

/** The file's tensors of module `m`, checked against the module's own state: names and shapes. */
function moduleTensors(info: CheckpointInfo, m: string, mod: Module): Map<string, RawTensor> {
  const prefix = `module.${m}.`;
  const found = new Map<string, RawTensor>();
  for (const [name, t] of info.tensors) if (name.startsWith(prefix)) found.set(name.slice(prefix.length), t);
  if (found.size === 0)
    throw new CheckpointError('MissingTarget', `module.${m}`, `checkpoint has no module '${m}'`);
  const expected = new Map(Object.entries(mod.stateDict()));
  for (const [k, v] of expected) {
    const t = found.get(k);
    if (!t) throw new CheckpointError('MissingTensor', `${prefix}${k}`, `missing (the module has ${k})`);
    if (t.shape.join() !== v.shape.join())
      throw new CheckpointError(
        'ShapeMismatch',
        `${prefix}${k}`,
        `shape ${shapeText(t.shape)} where the module has ${shapeText(v.shape)}`,
      );
  }
  for (const k of found.keys())
    if (!expected.has(k))
      throw new CheckpointError('UnexpectedTensor', `${prefix}${k}`, `the module has no state '${k}'`);
  return found;
}

/**
 * Restores a checkpoint into existing modules and optimizers (built with the same architecture).
 * Every module and optimizer named in `targets` must be present in the checkpoint, with the same
 * names, shapes and state structure; nothing is changed when anything disagrees.
 */
export function restoreCheckpoint(
  bytes: Uint8Array,
  targets: Omit<CheckpointContent, 'step' | 'rng' | 'config'>,
  options: RestoreOptions = {},
): RestoredCheckpoint {
  const info = readCheckpoint(bytes);
  const modules = Object.entries(targets.modules ?? {}).map(
    ([m, mod]) => [m, mod, moduleTensors(info, m, mod)] as const,
  );
  const made: Tensor[] = [];
  const toTensor = (name: string, raw: RawTensor) => {
    const d = decodeTensor(raw);
    if (!options.allowNonFinite && d.dtype === 'float32') checkFinite(name, d.data);
    const t = tensor(d.data, raw.shape, d.dtype);
    made.push(t);
    return t;
  };
  try {
    const dicts = modules.map(([m, mod, found]) => {
      // null prototype: loadStateDict's lookups see only the file's names
      const dict: Record<string, Tensor> = Object.create(null);
      for (const [k, raw] of found) dict[k] = toTensor(`module.${m}.${k}`, raw);
      return [mod, dict] as const;
    });
    const states = Object.entries(targets.optimizers ?? {}).map(([o, opt]) => {
      const tree = info.optimizers.get(o);
      if (tree === undefined)
        throw new CheckpointError('MissingTarget', `optimizers.${o}`, `checkpoint has no optimizer '${o}'`);
      const prefix = `optim.${o}`;
      const take = (name: string) => {
        const raw = info.tensors.get(name);
        if (!raw || (name !== prefix && !name.startsWith(`${prefix}.`)))
          throw new CheckpointError('MissingTensor', `optimizers.${o}`, `refers to '${name}', not its own`);
        const d = decodeTensor(raw);
        const t = tensor(d.data, raw.shape, d.dtype);
        made.push(t);
        return t;
      };
      const state = decodeTree(tree, take);
      checkSameStructure(state, opt.getState(), `optimizers.${o}`);
      return [opt, state] as const;
    });
    // everything agreed: only now is any module or optimizer changed
    for (const [mod, dict] of dicts) mod.loadStateDict(dict);
    for (const [opt, state] of states) {
      opt.setState(state); // the optimizer now owns these tensors
      const kept = new Set(stateTensors(state).map((t) => t.id));
      made.splice(0, made.length, ...made.filter((t) => !kept.has(t.id)));
    }
  } finally {
    for (const t of made) t.dispose();
  }
  return { step: info.step, rng: info.rng, config: info.config };
}
