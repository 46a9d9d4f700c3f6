// A model directory of the parser or the tagger: the weights file written by core's saveModule (the
// config in its header) and a vocabulary file beside it; models from before the header have their
// config in a JSON file of its own, which is still read. Reading is hostile-input safe: one schema
// check of each JSON value (types, ranges, no unknown fields), vocabulary sizes against the network's
// configuration, and tensor names, shapes and values against what the configuration builds, all
// before anything is built. Names from a file are looked up as own properties only (Object.hasOwn,
// Maps), so "__proto__", "constructor" or "toString" are just unknown names.
import {
  loadModule,
  MODULE_HEADER_KEY,
  ModelFileError,
  type Module,
  type ModuleKind,
  saveModule,
} from '@lab/core';
import { Vocabulary } from './vocab.js';

export { ModelFileError };

/** The files of one model, by role; each model names its own once (PARSER_FILES, TAGGER_FILES). */
export interface ModelFileNames {
  /** safetensors weights, with the config in the header. */
  weights: string;
  /** The vocabularies as JSON. */
  vocab: string;
  /** The config as JSON: written by models from before the weights file had a header; still read. */
  config: string;
  /** Optional: a structured beam scorer's output layer (the parser's; a model without it loads as before). */
  structured?: string;
}

/** A model's files' contents: `config` only for models from before the header. */
export interface ModelFiles {
  weights: Uint8Array;
  vocab: string;
  config?: string;
  /** A parser's structured beam scorer (PARSER_FILES.structured), when the model has one. */
  structured?: Uint8Array;
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
    throw new ModelFileError('', `not JSON (${(e as Error).message})`, { file });
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
      throw new ModelFileError(path, `must be a JSON object, got ${describe(value)}`, { file });
    return new JsonFields(file, path, value as JsonObject);
  }

  name(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }
  fail(key: string, message: string): never {
    throw new ModelFileError(this.name(key), message, { file: this.file });
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
    for (const [i, it] of items.entries())
      if (typeof it !== 'string' || it === '')
        v.fail(`items[${i}]`, `must be a non-empty string, got ${describe(it)}`);
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
    // the vocabulary's own index finds repeated items (a second set of 20k strings cost a cold load 15 ms)
    const vocabulary = new Vocabulary(items as string[], counts);
    if (vocabulary.size !== items.length + Vocabulary.RESERVED.length) repeatedItem(v, items as string[]);
    const want = sizes[name];
    const size = items.length + Vocabulary.RESERVED.length;
    if (size !== want.size)
      v.fail(
        'items',
        `${items.length} items (+${Vocabulary.RESERVED.length} reserved = ${size}), but ${want.from} is ${want.size}`,
      );
    out[name] = vocabulary;
  }
  return out;
}

/** Fails naming the first item that repeats an earlier one or a reserved name. */
function repeatedItem(v: JsonFields, items: readonly string[]): never {
  const seen = new Set<string>();
  for (const [i, it] of items.entries()) {
    if (seen.has(it) || Vocabulary.RESERVED.includes(it))
      v.fail(`items[${i}]`, `${describe(it)} is there twice (or is a reserved name)`);
    seen.add(it);
  }
  throw new Error('repeatedItem: no repeated item');
}

export interface ModelFileSpec<C, V, M extends Module> {
  kind: ModuleKind;
  /** The config (untrusted JSON) typed; errors name `file` and fields under `path`. */
  readConfig: (json: unknown, file: string, path: string) => C;
  /**
   * The vocabularies (untrusted JSON) checked against the config; errors name `file`, or for a
   * disagreement with the config the place that holds it (`configAt`: its file and field prefix).
   */
  readVocab: (json: unknown, file: string, config: C, configAt: { file: string; path: string }) => V;
  /** The name and shape of every tensor a config builds (checked before building). */
  shapes: (config: C) => ReadonlyMap<string, readonly number[]>;
  build: (config: C) => M;
}

/** The weights (config in the header) and the vocabulary file of a model; `half` stores float16 weights. */
export function writeModelFiles(
  module: Module,
  config: unknown,
  vocab: unknown,
  kind: ModuleKind,
  { metadata = {}, half = false }: { metadata?: Record<string, string>; half?: boolean } = {},
): { weights: Uint8Array; vocab: string } {
  return {
    weights: saveModule(module, config, kind, { metadata, half }),
    vocab: `${JSON.stringify(vocab)}\n`,
  };
}

/**
 * A model from its files: the config from the weights file's header (or, for a file without one, from
 * `files.config`), the vocabularies checked against it, the tensors' names and shapes checked before
 * building and their values (finite) after. Every problem is a ModelFileError naming the file.
 */
export function readModelFiles<C, V, M extends Module>(
  files: ModelFiles,
  names: ModelFileNames,
  spec: ModelFileSpec<C, V, M>,
): { config: C; vocab: V; module: M } {
  let vocab: V | undefined;
  const { module, config } = loadModule(files.weights, {
    ...spec.kind,
    file: names.weights,
    finite: true,
    legacyConfig: () => {
      if (files.config === undefined)
        throw new ModelFileError(MODULE_HEADER_KEY, `is missing and there is no ${names.config} beside it`, {
          file: names.weights,
        });
      return parseModelJson(files.config, names.config);
    },
    validateConfig: (raw, version) => {
      const legacy = version === 0;
      const configAt = legacy
        ? { file: names.config, path: '' }
        : { file: names.weights, path: `${MODULE_HEADER_KEY}.config` };
      const config = spec.readConfig(raw, configAt.file, configAt.path);
      // a config file beside a header must say the same (a stale one is not silently ignored)
      if (!legacy && files.config !== undefined) {
        const beside = spec.readConfig(parseModelJson(files.config, names.config), names.config, '');
        if (JSON.stringify(beside) !== JSON.stringify(config))
          throw new ModelFileError('', `differs from the config in ${names.weights}`, { file: names.config });
      }
      vocab = spec.readVocab(parseModelJson(files.vocab, names.vocab), names.vocab, config, configAt);
      return config;
    },
    shapes: spec.shapes,
    build: spec.build,
  });
  return { config, vocab: vocab!, module };
}
