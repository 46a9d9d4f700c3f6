// One model-file format: a module's state dict as safetensors tensors and, in the metadata, the kind
// of model, its format version and the JSON config it is built from (plus any provenance strings).
// Reading validates the header and the config before building the module, then checks every tensor's
// name, dtype and shape against the module before loading.
import { type Tensor, tensor } from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.js';
import { configObject } from './config-fields.js';
import { ModelFileError } from './model-file-error.js';
import {
  decodeTensor,
  float16Bits,
  parseSafetensors,
  type RawTensor,
  SafetensorsError,
  serializeSafetensors,
  type TensorEntry,
} from './safetensors.js';

/** The metadata key that holds { kind, version, config }. */
export const MODULE_HEADER_KEY = 'lab.module';

export interface ModuleKind {
  /** What the file holds, e.g. 'gan.evaluator'. */
  kind: string;
  /** The format version of this kind (a whole number >= 1). */
  version: number;
}

export interface SaveModuleOptions {
  /** Provenance strings stored beside the header (training command, accuracy...). */
  metadata?: Readonly<Record<string, string>>;
  /** Store float32 weights as float16. */
  half?: boolean;
}

function entryOf(name: string, v: Tensor, half: boolean): TensorEntry {
  if (v.dtype === 'float32') {
    const data = v.dataSync() as Float32Array;
    return half
      ? { dtype: 'F16', shape: v.shape, data: float16Bits(data) }
      : { dtype: 'F32', shape: v.shape, data };
  }
  if (v.dtype === 'int32') return { dtype: 'I32', shape: v.shape, data: v.dataSync() as Int32Array };
  throw new TypeError(`saveModule: cannot store '${name}', a ${v.dtype} tensor`);
}

/** The file's bytes: the module's state dict, and its kind, version and config in the metadata. */
export function saveModule(
  module: Module,
  config: unknown,
  { kind, version }: ModuleKind,
  { metadata = {}, half = false }: SaveModuleOptions = {},
): Uint8Array {
  if (!Number.isInteger(version) || version < 1)
    throw new RangeError(`saveModule: version must be a whole number >= 1, got ${version}`);
  if (MODULE_HEADER_KEY in metadata)
    throw new Error(`saveModule: metadata may not use the reserved key '${MODULE_HEADER_KEY}'`);
  const tensors: Record<string, TensorEntry> = {};
  for (const [name, v] of Object.entries(module.stateDict())) tensors[name] = entryOf(name, v, half);
  const header = JSON.stringify({ kind, version, config });
  return serializeSafetensors(tensors, { ...metadata, [MODULE_HEADER_KEY]: header });
}

export interface ModuleFileContents {
  tensors: Readonly<Record<string, RawTensor>>;
  metadata: Readonly<Record<string, string>>;
}

export interface LoadModuleSpec<C, M extends Module> {
  kind: string;
  /** The newest version this reader knows; files of versions 1..version are read. */
  version: number;
  /** Checks a file's config (untrusted JSON) and returns it typed; throws ModelFileError naming the field. */
  validateConfig: (raw: unknown, version: number) => C;
  build: (config: C) => M;
  /** The file's name for errors: every ModelFileError names it, and a malformed container is one too. */
  file?: string;
  /**
   * The name and shape of every tensor a config builds: when given, the file's tensors are checked
   * against them before the module is built (a hostile config cannot make it allocate first).
   */
  shapes?: (config: C) => ReadonlyMap<string, readonly number[]>;
  /** Refuse NaN and infinite weights (naming the tensor and index). Default false. */
  finite?: boolean;
  /**
   * For files written before the header existed (version 0): the raw config they imply, from their
   * tensors and metadata. Without it such files are rejected.
   */
  legacyConfig?: (file: ModuleFileContents) => unknown;
}

export interface LoadedModule<C, M extends Module> {
  module: M;
  config: C;
  /** The file's version (0 for a file without a header). */
  version: number;
  /** The provenance strings, without the header. */
  metadata: Record<string, string>;
}

function readHeader(text: string, kind: string, newest: number): { version: number; config: unknown } {
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw new ModelFileError(MODULE_HEADER_KEY, 'is not JSON');
  }
  const h = configObject(header, MODULE_HEADER_KEY);
  if (h.kind !== kind)
    throw new ModelFileError(`${MODULE_HEADER_KEY}.kind`, `is ${JSON.stringify(h.kind)}, expected '${kind}'`);
  const version = h.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > newest)
    throw new ModelFileError(
      `${MODULE_HEADER_KEY}.version`,
      `is ${JSON.stringify(version)}; this reader knows versions 1 to ${newest}`,
    );
  if (!('config' in h)) throw new ModelFileError(`${MODULE_HEADER_KEY}.config`, 'is missing');
  return { version, config: h.config };
}

/** Checks that the file has exactly the tensors `expected` names, with those shapes. */
function checkShapes(
  tensors: Readonly<Record<string, RawTensor>>,
  expected: ReadonlyMap<string, readonly number[]>,
): void {
  // own names only: a tensor called "constructor" or "__proto__" is just an unexpected name
  for (const name of Object.keys(tensors))
    if (!expected.has(name)) throw new ModelFileError(`tensor '${name}'`, 'is not part of the model');
  for (const [name, shape] of expected) {
    const raw = Object.hasOwn(tensors, name) ? tensors[name] : undefined;
    if (!raw) throw new ModelFileError(`tensor '${name}'`, 'is missing');
    if (raw.shape.join() !== shape.join())
      throw new ModelFileError(
        `tensor '${name}'`,
        `has shape [${raw.shape.join(', ')}], the model [${shape.join(', ')}]`,
      );
  }
}

function firstNonFinite(name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!))
      throw new ModelFileError(`tensor '${name}'`, `value ${data[i]} at index ${i}`);
}

/** Checks every tensor of the file against the module's state and returns them as tensors. */
function stateOf(
  module: Module,
  tensors: Readonly<Record<string, RawTensor>>,
  finite: boolean,
): Record<string, Tensor> {
  const own = module.stateDict();
  checkShapes(tensors, new Map(Object.entries(own).map(([name, v]) => [name, v.shape])));
  const out: Record<string, Tensor> = {};
  try {
    for (const [name, v] of Object.entries(own)) {
      const raw = tensors[name]!;
      const { dtype, data } = decodeTensor(raw);
      if (dtype !== v.dtype)
        throw new ModelFileError(`tensor '${name}'`, `is ${raw.dtype}, the model holds ${v.dtype}`);
      if (finite && dtype === 'float32') firstNonFinite(name, data);
      out[name] = tensor(data, raw.shape, dtype);
    }
  } catch (e) {
    for (const t of Object.values(out)) t.dispose();
    throw e;
  }
  return out;
}

/**
 * Reads a file written by saveModule: checks its kind and version, validates its config, builds the
 * module from it and loads the weights. Throws SafetensorsError for a malformed container (a
 * ModelFileError naming the file when `spec.file` is given) and ModelFileError (naming the field or
 * tensor, and `spec.file`) for contents this kind cannot use.
 */
export function loadModule<C, M extends Module>(
  bytes: Uint8Array,
  spec: LoadModuleSpec<C, M>,
): LoadedModule<C, M> {
  if (spec.file === undefined) return readModule(bytes, spec);
  const file = spec.file;
  try {
    return readModule(bytes, spec);
  } catch (e) {
    if (e instanceof ModelFileError) throw e.inFile(file);
    if (e instanceof SafetensorsError) throw new ModelFileError('', e.message, { file, cause: e });
    throw e;
  }
}

function readModule<C, M extends Module>(bytes: Uint8Array, spec: LoadModuleSpec<C, M>): LoadedModule<C, M> {
  const { tensors, metadata } = parseSafetensors(bytes);
  const { [MODULE_HEADER_KEY]: headerText, ...provenance } = metadata;
  let version: number;
  let rawConfig: unknown;
  if (headerText !== undefined)
    ({ version, config: rawConfig } = readHeader(headerText, spec.kind, spec.version));
  else if (spec.legacyConfig) {
    version = 0;
    rawConfig = spec.legacyConfig({ tensors, metadata });
  } else throw new ModelFileError(MODULE_HEADER_KEY, `is missing: not a '${spec.kind}' model file`);
  const config = spec.validateConfig(rawConfig, version);
  if (spec.shapes) checkShapes(tensors, spec.shapes(config));
  const module = spec.build(config);
  try {
    const state = stateOf(module, tensors, spec.finite ?? false);
    try {
      module.loadStateDict(state);
    } finally {
      for (const t of Object.values(state)) t.dispose();
    }
  } catch (e) {
    module.dispose();
    throw e;
  }
  return { module, config, version, metadata: provenance };
}
