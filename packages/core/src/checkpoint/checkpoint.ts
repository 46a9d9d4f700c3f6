// Checkpoints: weights and buffers of modules, optimizer states, step, random state and config in
// one safetensors buffer, so that training resumes exactly. Tensors go in the data section; the
// structure of optimizer states and everything else goes in __metadata__ as JSON.
import { type Tensor, tensor } from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.js';
import { isTensor } from '../optim/gradient-transformation.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { RngState } from '../random/rng.js';
import {
  decodeTensor,
  parseSafetensors,
  type SafeDtype,
  SafetensorsError,
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

const FORMAT = 'lab-checkpoint/1';

const SAFE_DTYPES: Partial<Record<string, SafeDtype>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };

function entryOf(t: Tensor): TensorEntry {
  const dtype = SAFE_DTYPES[t.dtype];
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

function decodeTree(tree: unknown, tensors: Record<string, Tensor>): unknown {
  if (Array.isArray(tree)) return tree.map((v) => decodeTree(v, tensors));
  if (tree && typeof tree === 'object') {
    const o = tree as Record<string, unknown>;
    if (typeof o.$tensor === 'string') {
      const t = tensors[o.$tensor];
      if (!t)
        throw new SafetensorsError(
          'InvalidMetadata',
          `optimizer state refers to missing tensor '${o.$tensor}'`,
        );
      return t;
    }
    if (typeof o.$number === 'string') return Number(o.$number);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decodeTree(v, tensors)]));
  }
  return tree;
}

/** Serialises a checkpoint to safetensors bytes. */
export function checkpointToBytes(content: CheckpointContent): Uint8Array {
  const tensors: Record<string, TensorEntry> = {};
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

/**
 * Restores a checkpoint into existing modules and optimizers (built with the same architecture).
 * Every module and optimizer named in `targets` must be present in the checkpoint.
 */
export function restoreCheckpoint(
  bytes: Uint8Array,
  targets: Omit<CheckpointContent, 'step' | 'rng' | 'config'>,
): RestoredCheckpoint {
  const { tensors: raw, metadata } = parseSafetensors(bytes);
  if (!metadata.lab)
    throw new SafetensorsError('InvalidMetadata', 'not an @lab checkpoint (no "lab" metadata)');
  let meta: {
    format?: string;
    step?: number;
    rng?: RngState | null;
    config?: unknown;
    optimizers?: Record<string, unknown>;
  };
  try {
    meta = JSON.parse(metadata.lab);
  } catch {
    throw new SafetensorsError('InvalidMetadata', '"lab" metadata is not JSON');
  }
  if (meta.format !== FORMAT)
    throw new SafetensorsError('InvalidMetadata', `unsupported checkpoint format ${meta.format}`);
  const made: Tensor[] = [];
  const toTensor = (name: string) => {
    const d = decodeTensor(raw[name]!);
    const t = tensor(d.data, raw[name]!.shape, d.dtype);
    made.push(t);
    return t;
  };
  try {
    for (const [m, mod] of Object.entries(targets.modules ?? {})) {
      const prefix = `module.${m}.`;
      const dict: Record<string, Tensor> = {};
      for (const name of Object.keys(raw))
        if (name.startsWith(prefix)) dict[name.slice(prefix.length)] = toTensor(name);
      if (Object.keys(dict).length === 0)
        throw new SafetensorsError('InvalidMetadata', `checkpoint has no module '${m}'`);
      mod.loadStateDict(dict);
    }
    for (const [o, opt] of Object.entries(targets.optimizers ?? {})) {
      const tree = meta.optimizers?.[o];
      if (tree === undefined)
        throw new SafetensorsError('InvalidMetadata', `checkpoint has no optimizer '${o}'`);
      const prefix = `optim.${o}`;
      const owned: Record<string, Tensor> = {};
      for (const name of Object.keys(raw)) {
        if (name === prefix || name.startsWith(`${prefix}.`)) owned[name] = toTensor(name);
      }
      const state = decodeTree(tree, owned);
      opt.setState(state); // the optimizer now owns these tensors
      for (const t of Object.values(owned)) made.splice(made.indexOf(t), 1);
    }
  } finally {
    for (const t of made) t.dispose();
  }
  return { step: meta.step ?? 0, rng: meta.rng ?? undefined, config: meta.config ?? undefined };
}
