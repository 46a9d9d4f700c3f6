// Hostile model directories: each file cut at every byte, wrong types and prototype names in every
// JSON field, vocabularies that do not match the net, non-finite and misshapen weights. Loading
// gives the model or a ModelFileError naming the file and field: no other error, no silent success.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  decodeTensor,
  initBackend,
  MODULE_HEADER_KEY,
  parseSafetensors,
  Rng,
  serializeSafetensors,
  type TensorEntry,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConllu } from '../text/conllu.js';
import { ParserNet, parserTensorShapes } from './model.js';
import { ModelFileError } from './model-files.js';
import { Parser } from './parser.js';
import { Tagger, taggerTensorShapes, trainTagger } from './tagger.js';
import { Vocabulary } from './vocab.js';

const PARSER_FILES = ['config.json', 'vocab.json', 'weights.safetensors'];
const TAGGER_FILES = ['tagger-config.json', 'tagger-vocab.json', 'tagger.safetensors'];

type Files = { weights: Uint8Array; vocab: string; config?: string };

/** The float tensors of a weights file as F32 entries. */
function entriesOf(weights: Uint8Array): Record<string, TensorEntry> {
  const out: Record<string, TensorEntry> = {};
  for (const [name, raw] of Object.entries(parseSafetensors(weights).tensors))
    out[name] = { dtype: 'F32', shape: raw.shape, data: decodeTensor(raw).data as Float32Array };
  return out;
}

/** The config in a weights file's header. */
function headerConfig(weights: Uint8Array): unknown {
  return JSON.parse(parseSafetensors(weights).metadata[MODULE_HEADER_KEY]!).config;
}

/** The files as models from before the header wrote them: no header, the config in a file of its own. */
function legacy(files: Files): Files & { config: string } {
  return {
    weights: serializeSafetensors(entriesOf(files.weights)),
    vocab: files.vocab,
    config: `${JSON.stringify(headerConfig(files.weights), null, 2)}\n`,
  };
}

/** The weights file with `configText` (JSON text, possibly invalid) as the header's config. */
function withHeaderConfig(weights: Uint8Array, configText: string): Uint8Array {
  const { kind, version } = JSON.parse(parseSafetensors(weights).metadata[MODULE_HEADER_KEY]!);
  const header = `{"kind":${JSON.stringify(kind)},"version":${version},"config":${configText}}`;
  return serializeSafetensors(entriesOf(weights), { [MODULE_HEADER_KEY]: header });
}

const sentences = parseConllu(
  [
    '1\tthe\t_\tDET\tDT\t_\t2\tdet\t_\t_\n2\t__proto__\t_\tNOUN\tNN\t_\t3\tnsubj\t_\t_\n3\tbarked\t_\tVERB\tVBD\t_\t0\troot\t_\t_\n\n',
    '1\tconstructor\t_\tPROPN\tNNP\t_\t2\tnsubj\t_\t_\n2\ttoString\t_\tVERB\tVBD\t_\t0\troot\t_\t_\n\n',
  ].join(''),
);

/** A tiny parser (prototype names among its words and labels) and its files. */
function tinyParser(): Parser {
  return Parser.create(
    {
      system: 'arc-hybrid',
      pseudoProjective: false,
      morphology: 'xpos',
      net: {
        wordDim: 2,
        tagDim: 2,
        labelDim: 2,
        extraDim: 2,
        hidden: [3],
        activation: 'cube',
        dropout: 0.5,
        context: { dim: 2, layers: 2, width: 3, channels: 3 },
      },
    },
    {
      words: new Vocabulary(['the', '__proto__', 'barked', 'constructor', 'tostring']),
      upos: new Vocabulary(['DET', 'NOUN', 'VERB', 'PROPN']),
      xpos: new Vocabulary(['DT', 'NN', 'VBD', 'NNP']),
      labels: new Vocabulary(['det', 'nsubj', 'root', 'constructor']),
    },
    new Rng(3),
  );
}

/** The ModelFileError `load` throws, or undefined if it loads (the loaded model is disposed). */
function loadError(load: () => { dispose(): void }): ModelFileError | undefined {
  let model: { dispose(): void };
  try {
    model = load();
  } catch (e) {
    if (!(e instanceof ModelFileError)) throw e;
    return e;
  }
  model.dispose();
  return undefined;
}

/** Every path to a value in a JSON value (object keys and array indices). */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = at.length ? [at] : [];
  if (Array.isArray(v)) for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}
const INFINITY = '@@infinity@@';
const PROTO_KEY = '@@proto@@';
/** JSON text of `v` with the value at `path` replaced (or deleted); INFINITY writes 1e400. */
function withValue(v: unknown, path: (string | number)[], value: unknown, remove = false): string {
  const copy = structuredClone(v) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (remove) {
    if (Array.isArray(o)) o.splice(last as number, 1);
    else delete o[last];
  } else o[last] = value;
  return JSON.stringify(copy).replaceAll(`"${INFINITY}"`, '1e400');
}
const WRONG = [
  null,
  true,
  'x',
  [],
  {},
  -1,
  0,
  0.5,
  2.5,
  1e9,
  INFINITY,
  'NaN',
  '__proto__',
  'constructor',
  'toString',
];

/** Wrong values in every field of `json` (and the field deleted, and prototype names as keys): `load` never throws anything but a ModelFileError naming one of `files`, and prototype names as keys are unknown fields. */
function expectEveryFieldChecked(
  json: unknown,
  load: (text: string) => { dispose(): void },
  files: readonly string[],
): number {
  let refused = 0;
  for (const path of paths(json)) {
    for (const [i, value] of [...WRONG, undefined].entries()) {
      const text = withValue(json, path, value, i === WRONG.length);
      const e = loadError(() => load(text));
      if (e) {
        refused++;
        // a size that is in range but not the model's is found where the files disagree
        expect(files).toContain(e.file);
        expect(e.message.startsWith(`${e.file}: `)).toBe(true);
        expect(e.field === '' || e.message.includes(e.field)).toBe(true);
      }
    }
  }
  for (const path of [
    [],
    ...paths(json).filter((p) => {
      let o: unknown = json;
      for (const k of p) o = (o as Record<string | number, unknown>)[k];
      return o !== null && typeof o === 'object' && !Array.isArray(o);
    }),
  ]) {
    for (const key of ['__proto__', 'constructor', 'toString']) {
      const copy = structuredClone(json) as Record<string, unknown>;
      let o = copy;
      for (const k of path) o = o[k] as Record<string, unknown>;
      o[PROTO_KEY] = 1;
      const text = JSON.stringify(copy).replace(`"${PROTO_KEY}"`, JSON.stringify(key));
      const e = loadError(() => load(text));
      expect(e?.message, `${key} at ${path.join('.')}`).toMatch(/unknown field/);
    }
  }
  return refused;
}

describe('model directory files on hostile input', () => {
  let files: Files;
  let taggerFiles: Files;

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
    const parser = tinyParser();
    files = parser.toFiles();
    parser.dispose();
    const tagger = trainTagger(sentences, {
      epochs: 1,
      config: { wordDim: 2, suffixDim: 2, shapeDim: 2, hidden: 3 },
    });
    taggerFiles = tagger.toFiles();
    tagger.dispose();
  });

  it('the tensor shapes a config gives are those of the net it builds', () => {
    const parser = tinyParser();
    const built = new Map(Object.entries(parser.net.parameters()).map(([k, v]) => [k, v.shape]));
    expect(parserTensorShapes(parser.config.net)).toEqual(built);
    const plain = new ParserNet({ ...parser.config.net, context: undefined, hidden: [3, 4] });
    expect(parserTensorShapes(plain.config)).toEqual(
      new Map(Object.entries(plain.parameters()).map(([k, v]) => [k, v.shape])),
    );
    plain.dispose();
    parser.dispose();
    const tagger = Tagger.fromFiles(taggerFiles);
    expect(taggerTensorShapes(tagger.net.config)).toEqual(
      new Map(Object.entries(tagger.net.parameters()).map(([k, v]) => [k, v.shape])),
    );
    tagger.dispose();
  });

  it('loads the valid files, prototype names among the words working as words', () => {
    const before = tf.memory().numTensors;
    const parser = Parser.fromFiles(files);
    expect(parser.vocab.words.id('__proto__')).toBe(4);
    expect(parser.vocab.words.id('constructor')).toBe(6);
    expect(parser.vocab.labels.id('constructor')).toBe(6);
    const [parsed] = parser.parse(sentences.slice(0, 1));
    expect(parsed!.rows.filter((r) => r.head === 0)).toHaveLength(1);
    parser.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('each file cut at any byte is a ModelFileError naming it (or, cut only in its last line break, the model)', () => {
    const old = legacy(files);
    for (const name of ['config', 'vocab'] as const) {
      const text = old[name];
      for (let k = 0; k < text.length; k++) {
        const e = loadError(() => Parser.fromFiles({ ...old, [name]: text.slice(0, k) }));
        if (text.slice(0, k).trim() === text.trim()) expect(e).toBeUndefined();
        else expect(e?.file, `${name} cut at ${k}`).toBe(`${name === 'config' ? 'config' : 'vocab'}.json`);
      }
    }
    const w = files.weights;
    for (let k = 0; k < w.length; k++) {
      const e = loadError(() => Parser.fromFiles({ ...files, weights: w.subarray(0, k) }));
      expect(e?.file, `weights cut at ${k}`).toBe('weights.safetensors');
    }
  });

  it('checks every field of the header config: wrong types, ranges, prototype names, non-finite numbers', () => {
    const config = headerConfig(files.weights);
    const refused = expectEveryFieldChecked(
      config,
      (text) => Parser.fromFiles({ ...files, weights: withHeaderConfig(files.weights, text) }),
      PARSER_FILES,
    );
    expect(refused).toBeGreaterThan(0.9 * paths(config).length * WRONG.length);
    expect(() =>
      Parser.fromFiles({ ...files, weights: withHeaderConfig(files.weights, '{"system":"arc-hybrid"}') }),
    ).toThrow(/^weights.safetensors: lab.module.config.pseudoProjective: must be true or false/);
  });

  it('checks every field of config.json of a model from before the header, and a stale one beside a header', () => {
    const old = legacy(files);
    const config = JSON.parse(old.config);
    const refused = expectEveryFieldChecked(
      config,
      (text) => Parser.fromFiles({ ...old, config: text }),
      PARSER_FILES,
    );
    expect(refused).toBeGreaterThan(0.9 * paths(config).length * WRONG.length);
    expect(() => Parser.fromFiles({ ...old, config: undefined })).toThrow(
      /^weights.safetensors: lab.module: is missing and there is no config.json beside it/,
    );
    // the same config beside the header is fine; another one is an error naming config.json
    expect(loadError(() => Parser.fromFiles({ ...files, config: old.config }))).toBeUndefined();
    expect(() =>
      Parser.fromFiles({ ...files, config: JSON.stringify({ ...config, pseudoProjective: true }) }),
    ).toThrow(/^config.json: differs from the config in weights.safetensors/);
  });

  it('checks every field of vocab.json, and its sizes against the net', () => {
    const vocab = JSON.parse(files.vocab);
    expectEveryFieldChecked(vocab, (text) => Parser.fromFiles({ ...files, vocab: text }), PARSER_FILES);
    // one word short (a truncated list that is still JSON): the sizes disagree
    vocab.words.items.pop();
    vocab.words.counts.pop();
    expect(() => Parser.fromFiles({ ...files, vocab: JSON.stringify(vocab) })).toThrow(
      /vocab.json: words.items: 4 items \(\+3 reserved = 7\), but weights.safetensors lab.module.config.net.words is 8/,
    );
    expect(() => Parser.fromFiles({ ...legacy(files), vocab: JSON.stringify(vocab) })).toThrow(
      /vocab.json: words.items: 4 items \(\+3 reserved = 7\), but config.json net.words is 8/,
    );
    vocab.words.items.push('the');
    vocab.words.counts.push(1);
    expect(() => Parser.fromFiles({ ...files, vocab: JSON.stringify(vocab) })).toThrow(
      /words.items\[4\]: "the" is there twice/,
    );
  });

  it('refuses non-finite, misshapen, missing, extra and non-float tensors', () => {
    const entries = () => entriesOf(files.weights);
    const header = { [MODULE_HEADER_KEY]: parseSafetensors(files.weights).metadata[MODULE_HEADER_KEY]! };
    const load = (e: Record<string, TensorEntry>) => () =>
      Parser.fromFiles({ ...files, weights: serializeSafetensors(e, header) });
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const e = entries();
      (e['hidden1.weight']!.data as Float32Array)[5] = bad;
      expect(load(e)).toThrow(
        new RegExp(`weights.safetensors: tensor 'hidden1.weight': value ${bad} at index 5`),
      );
    }
    const half = entries();
    half['output.bias'] = {
      dtype: 'F16',
      shape: half['output.bias']!.shape,
      data: new Uint8Array(2 * half['output.bias']!.data.length).fill(0xff),
    };
    expect(load(half)).toThrow(/tensor 'output.bias': value NaN/);
    const shaped = entries();
    shaped['words.weight'] = { ...shaped['words.weight']!, shape: [4, 4] };
    expect(load(shaped)).toThrow(/tensor 'words.weight': has shape \[4, 4\], the model \[8, 2\]/);
    const missing = entries();
    delete missing['context2.bias'];
    expect(load(missing)).toThrow(/tensor 'context2.bias': is missing/);
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      const extra = entries();
      extra[name] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
      expect(load(extra)).toThrow(
        new RegExp(`weights.safetensors: tensor '${name}': is not part of the model`),
      );
    }
    const ints = entries();
    ints['output.bias'] = {
      dtype: 'I32',
      shape: ints['output.bias']!.shape,
      data: new Int32Array(ints['output.bias']!.data.length),
    };
    expect(load(ints)).toThrow(/tensor 'output.bias': is I32, the model holds float32/);
  });

  it('refuses huge sizes before building anything', () => {
    const old = legacy(files);
    const config = JSON.parse(old.config);
    config.net.hidden = [65_536];
    expect(() => Parser.fromFiles({ ...old, config: JSON.stringify(config) })).toThrow(
      /tensor 'hidden1.weight': has shape \[160, 3\], the model \[160, 65536\]/,
    );
    config.net.hidden = [100_000];
    expect(() => Parser.fromFiles({ ...old, config: JSON.stringify(config) })).toThrow(
      /config.json: net.hidden\[0\]: must be an integer in \[1, 65536\], got 100000/,
    );
    config.net.hidden = [3];
    config.net.transitions = 11;
    expect(() => Parser.fromFiles({ ...old, config: JSON.stringify(config) })).toThrow(
      /config.json: net.transitions: is 11, but arc-hybrid with the 4 labels of vocab.json has 9/,
    );
    expect(() =>
      Parser.fromFiles({ ...files, weights: withHeaderConfig(files.weights, JSON.stringify(config)) }),
    ).toThrow(/weights.safetensors: lab.module.config.net.transitions: is 11/);
    const header = new TextEncoder().encode(
      JSON.stringify({ 'words.weight': { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 4] } }),
    );
    const bytes = new Uint8Array(8 + header.length + 4);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    expect(() => Parser.fromFiles({ ...files, weights: bytes })).toThrow(
      /weights.safetensors: safetensors SizeMismatch/,
    );
  });

  it('checks the tagger files the same way, naming them', () => {
    const config = headerConfig(taggerFiles.weights);
    expectEveryFieldChecked(
      config,
      (text) => Tagger.fromFiles({ ...taggerFiles, weights: withHeaderConfig(taggerFiles.weights, text) }),
      TAGGER_FILES,
    );
    const old = legacy(taggerFiles);
    expectEveryFieldChecked(config, (text) => Tagger.fromFiles({ ...old, config: text }), TAGGER_FILES);
    const vocab = JSON.parse(taggerFiles.vocab);
    expectEveryFieldChecked(vocab, (text) => Tagger.fromFiles({ ...taggerFiles, vocab: text }), TAGGER_FILES);
    vocab.upos.items.pop();
    vocab.upos.counts.pop();
    expect(() => Tagger.fromFiles({ ...taggerFiles, vocab: JSON.stringify(vocab) })).toThrow(
      /tagger-vocab.json: upos.items: 3 items \(\+3 reserved = 6\), but tagger.safetensors lab.module.config.upos is 7/,
    );
    const w = taggerFiles.weights;
    for (let k = 0; k < w.length; k += 7)
      expect(loadError(() => Tagger.fromFiles({ ...taggerFiles, weights: w.subarray(0, k) }))?.file).toBe(
        'tagger.safetensors',
      );
    expect(() => Tagger.fromFiles(taggerFiles, { config: '/models/x/tagger-config.json' })).not.toThrow();
    expect(() =>
      Tagger.fromFiles({ ...taggerFiles, config: '{' }, { config: '/models/x/tagger-config.json' }),
    ).toThrow(/^\/models\/x\/tagger-config.json: not JSON/);
  });

  it('loads the shipped model', () => {
    const dir = fileURLToPath(new URL('../../models/en_ewt/', import.meta.url));
    const read = (f: string) => readFileSync(join(dir, f));
    const parser = Parser.fromFiles({
      weights: read('weights.safetensors'),
      vocab: read('vocab.json').toString(),
      config: read('config.json').toString(),
    });
    expect(parser.vocab.words.size).toBe(parser.config.net.words);
    parser.dispose();
  });
});
