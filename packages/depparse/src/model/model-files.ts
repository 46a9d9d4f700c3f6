// Reading a model directory's files as hostile input: one schema check of each JSON file (types,
// ranges, no unknown fields), vocabulary sizes against the network's configuration, and tensor names,
// shapes and values against what the configuration builds, all before anything is built. Names from
// a file are looked up as own properties only (Object.hasOwn, Maps), so "__proto__", "constructor"
// or "toString" are just unknown names.
import { decodeTensor, parseSafetensors, type RawTensor } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { Vocabulary } from './vocab.js';

/** A model file that is not what the loader needs; `field` is the JSON path or tensor name at fault. */
export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${field === undefined ? '' : `: ${field}`}: ${message}`, options);
    this.name = 'ModelFileError';
  }
}

/** Largest embedding or layer width a model file may declare. */
export const MAX_MODEL_DIM = 65_536;
/** Largest vocabulary a model file may declare. */
export const MAX_VOCABULARY = 10_000_000;

export type JsonObject = { readonly [key: string]: unknown };

/** JSON text as a value, or a ModelFileError naming the file. */
export function parseModelJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(file, undefined, `not JSON (${(e as Error).message})`);
  }
}

/** Typed reads of one JSON object's own fields, with the path of each field in the errors. */
export class JsonFields {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: JsonObject,
  ) {}

  static of(file: string, path: string, value: unknown): JsonFields {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ModelFileError(file, path || undefined, `must be a JSON object, got ${describe(value)}`);
    return new JsonFields(file, path, value as JsonObject);
  }

  name(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }
  fail(key: string, message: string): never {
    throw new ModelFileError(this.file, this.name(key), message);
  }
  has(key: string): boolean {
    return Object.hasOwn(this.value, key);
  }
  get(key: string): unknown {
    return this.has(key) ? this.value[key] : undefined;
  }
  /** Refuses fields other than `known` (a misspelt or foreign field is not silently ignored). */
  only(known: readonly string[]): void {
    for (const key of Object.keys(this.value))
      if (!known.includes(key)) this.fail(key, `unknown field (expected one of ${known.join(', ')})`);
  }
  int(key: string, min: number, max: number): number {
    const v = this.get(key);
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max))
      this.fail(key, `must be an integer in [${min}, ${max}], got ${describe(v)}`);
    return v;
  }
  optionalInt(key: string, min: number, max: number): number | undefined {
    return this.has(key) ? this.int(key, min, max) : undefined;
  }
  /** A number in [min, max). */
  fraction(key: string, min = 0, max = 1): number {
    const v = this.get(key);
    if (!(typeof v === 'number' && v >= min && v < max))
      this.fail(key, `must be a number in [${min}, ${max}), got ${describe(v)}`);
    return v;
  }
  bool(key: string): boolean {
    const v = this.get(key);
    if (typeof v !== 'boolean') this.fail(key, `must be true or false, got ${describe(v)}`);
    return v;
  }
  choice<T extends string>(key: string, choices: readonly T[]): T {
    const v = this.get(key);
    if (!(typeof v === 'string' && (choices as readonly string[]).includes(v)))
      this.fail(key, `must be one of ${choices.join(', ')}, got ${describe(v)}`);
    return v as T;
  }
  array(key: string, what: string): unknown[] {
    const v = this.get(key);
    if (!Array.isArray(v)) this.fail(key, `must be an array of ${what}, got ${describe(v)}`);
    return v;
  }
  object(key: string): JsonFields {
    if (!this.has(key)) this.fail(key, 'missing');
    return JsonFields.of(this.file, this.name(key), this.get(key));
  }
}

/** A value for a message: JSON, shortened. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * Vocabularies `names` of a vocabulary file, each `{ items: string[], counts?: number[] }` of
 * unique items, with the sizes (reserved ids included) that the network was built for.
 */
export function readVocabularies<K extends string>(
  json: unknown,
  file: string,
  sizes: Readonly<Record<K, { size: number; from: string }>>,
): Record<K, Vocabulary> {
  const root = JsonFields.of(file, '', json);
  const names = Object.keys(sizes) as K[];
  root.only(names);
  const out = {} as Record<K, Vocabulary>;
  for (const name of names) {
    const v = root.object(name);
    v.only(['items', 'counts']);
    const items = v.array('items', 'strings');
    const seen = new Set<string>();
    for (const [i, it] of items.entries()) {
      if (typeof it !== 'string' || it === '')
        v.fail(`items[${i}]`, `must be a non-empty string, got ${describe(it)}`);
      else if (seen.has(it) || Vocabulary.RESERVED.includes(it))
        v.fail(`items[${i}]`, `${describe(it)} is there twice (or is a reserved name)`);
      else seen.add(it);
    }
    let counts: number[] | undefined;
    if (v.has('counts')) {
      const c = v.array('counts', 'counts');
      if (c.length !== items.length) v.fail('counts', `has ${c.length} counts for ${items.length} items`);
      c.forEach((n, i) => {
        if (!(typeof n === 'number' && Number.isSafeInteger(n) && n >= 0))
          v.fail(`counts[${i}]`, `must be a count, got ${describe(n)}`);
      });
      counts = c as number[];
    }
    const want = sizes[name];
    const size = items.length + Vocabulary.RESERVED.length;
    if (size !== want.size)
      v.fail(
        'items',
        `${items.length} items (+${Vocabulary.RESERVED.length} reserved = ${size}), but ${want.from} is ${want.size}`,
      );
    out[name] = new Vocabulary(items as string[], counts);
  }
  return out;
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

/**
 * The tensors of a safetensors file checked against the `expected` names and shapes (all of them,
 * nothing else), decoded to float32 and refused if any value is NaN or infinite.
 */
export function readModelTensors(
  bytes: Uint8Array,
  file: string,
  expected: ReadonlyMap<string, readonly number[]>,
): Map<string, { shape: number[]; data: Float32Array }> {
  let tensors: Record<string, RawTensor>;
  try {
    tensors = parseSafetensors(bytes).tensors;
  } catch (e) {
    throw new ModelFileError(file, undefined, (e as Error).message, { cause: e });
  }
  const found = new Map(Object.entries(tensors));
  for (const name of found.keys())
    if (!expected.has(name)) throw new ModelFileError(file, name, 'a tensor the model does not have');
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of expected) {
    const raw = found.get(name);
    if (!raw) throw new ModelFileError(file, name, 'missing tensor');
    if (!FLOAT_DTYPES.has(raw.dtype))
      throw new ModelFileError(file, name, `dtype ${raw.dtype} is not a float type`);
    if (raw.shape.join() !== shape.join())
      throw new ModelFileError(
        file,
        name,
        `shape [${raw.shape.join(', ')}], the configuration gives [${shape.join(', ')}]`,
      );
    const data = decodeTensor(raw).data as Float32Array;
    for (let i = 0; i < data.length; i++)
      if (!Number.isFinite(data[i]!)) throw new ModelFileError(file, name, `value ${data[i]} at index ${i}`);
    out.set(name, { shape: [...shape], data });
  }
  return out;
}

/** Checked tensors (see readModelTensors) into a module's variables; `fail` runs if that throws. */
export function loadTensors(
  module: { loadStateDict(dict: Record<string, tf.Tensor>): void },
  tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
  fail: () => void,
): void {
  const dict: Record<string, tf.Tensor> = Object.create(null);
  for (const [name, t] of tensors) dict[name] = tf.tensor(t.data, t.shape, 'float32');
  try {
    module.loadStateDict(dict);
  } catch (e) {
    fail();
    throw e;
  } finally {
    tf.dispose(Object.values(dict));
  }
}
