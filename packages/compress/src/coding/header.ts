// The header of the compressed file (JSON), its types and a strict validator: every field is
// checked for type and range and named in the error, unknown keys are refused, and sizes are bounded
// before anything is allocated.
import { CompressedFileError } from './errors.js';

export const FORMAT_NAME = 'lab-deep-compression';
/** Upper bounds that keep a hostile header from making the reader allocate without limit. */
export const MAX_HEADER_BYTES = 16 * 2 ** 20;
export const MAX_ELEMENTS = 2 ** 28;
export const MAX_TENSORS = 100_000;

export type Encoding = 'raw' | 'sparse' | 'shared';
export type SectionKind = 'values' | 'gaps' | 'codes' | 'codebook';
/** raw: bytes as they are; packed: fixed-width symbols (see bitpack.ts); huffman: huffman.ts streams. */
export type SectionCoding = 'raw' | 'packed' | 'huffman';

export interface SectionEntry {
  /** Offset from the start of the data region. */
  offset: number;
  length: number;
  crc32: number;
  coding: SectionCoding;
}

export interface TensorEntry {
  name: string;
  shape: number[];
  encoding: Encoding;
  /** Stored entries, filler zeros included (sparse and shared). */
  entries?: number;
  fillers?: number;
  /** Bits per relative index (sparse and shared). */
  indexBits?: number;
  /** Bits per codebook index in the accounting (shared). */
  weightBits?: number;
  /** Number of codebook values (shared). */
  codebookSize?: number;
  sections: Partial<Record<SectionKind, SectionEntry>>;
}

export interface FileHeader {
  format: typeof FORMAT_NAME;
  dataLength: number;
  tensors: TensorEntry[];
  metadata?: Record<string, string>;
}

/** Sections each encoding must have (and no others). */
export const SECTIONS: Record<Encoding, SectionKind[]> = {
  raw: ['values'],
  sparse: ['gaps', 'values'],
  shared: ['gaps', 'codes', 'codebook'],
};

const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

type Obj = Record<string, unknown>;

function fail(field: string, detail: string, offset: number): never {
  throw new CompressedFileError('bad-header', 'header', offset, `${field}: ${detail}`);
}

function isObject(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function onlyKeys(o: Obj, allowed: readonly string[], field: string, offset: number): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) fail(field, `unexpected key ${JSON.stringify(k)}`, offset);
}

function int(o: Obj, key: string, field: string, offset: number, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(`${field}.${key}`, `expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`, offset);
  return v;
}

function section(o: unknown, field: string, dataLength: number, offset: number): SectionEntry {
  if (!isObject(o)) fail(field, 'expected an object', offset);
  onlyKeys(o, ['offset', 'length', 'crc32', 'coding'], field, offset);
  const off = int(o, 'offset', field, offset, 0, dataLength);
  const length = int(o, 'length', field, offset, 0, dataLength - off);
  const crc = int(o, 'crc32', field, offset, 0, 0xffffffff);
  if (o.coding !== 'raw' && o.coding !== 'packed' && o.coding !== 'huffman')
    fail(`${field}.coding`, `expected "raw", "packed" or "huffman", got ${JSON.stringify(o.coding)}`, offset);
  return { offset: off, length, crc32: crc, coding: o.coding };
}

/** Validates parsed header JSON; `offset` is where the header starts in the file (for errors). */
export function validateHeader(json: unknown, offset: number): FileHeader {
  if (!isObject(json)) fail('header', 'expected a JSON object', offset);
  onlyKeys(json, ['format', 'dataLength', 'tensors', 'metadata'], 'header', offset);
  if (json.format !== FORMAT_NAME)
    fail('format', `expected ${JSON.stringify(FORMAT_NAME)}, got ${JSON.stringify(json.format)}`, offset);
  const dataLength = int(json, 'dataLength', 'header', offset, 0, Number.MAX_SAFE_INTEGER);
  let metadata: Record<string, string> | undefined;
  if (json.metadata !== undefined) {
    if (!isObject(json.metadata)) fail('metadata', 'expected an object of strings', offset);
    metadata = {};
    for (const [k, v] of Object.entries(json.metadata)) {
      if (FORBIDDEN_NAMES.has(k)) fail(`metadata.${k}`, 'reserved name', offset);
      if (typeof v !== 'string') fail(`metadata.${k}`, `expected a string, got ${typeof v}`, offset);
      metadata[k] = v;
    }
  }
  if (!Array.isArray(json.tensors)) fail('tensors', 'expected an array', offset);
  if (json.tensors.length > MAX_TENSORS) fail('tensors', `more than ${MAX_TENSORS} tensors`, offset);
  const names = new Set<string>();
  const tensors = json.tensors.map((t: unknown, i: number): TensorEntry => {
    const field = `tensors[${i}]`;
    if (!isObject(t)) fail(field, 'expected an object', offset);
    onlyKeys(
      t,
      [
        'name',
        'shape',
        'encoding',
        'entries',
        'fillers',
        'indexBits',
        'weightBits',
        'codebookSize',
        'sections',
      ],
      field,
      offset,
    );
    const { name, shape, encoding } = t;
    if (typeof name !== 'string' || name.length === 0 || name.length > 1024)
      fail(`${field}.name`, 'expected a non-empty string of at most 1024 characters', offset);
    if (FORBIDDEN_NAMES.has(name)) fail(`${field}.name`, `reserved name ${JSON.stringify(name)}`, offset);
    if (names.has(name)) fail(`${field}.name`, `duplicate tensor ${JSON.stringify(name)}`, offset);
    names.add(name);
    if (!Array.isArray(shape) || shape.length > 8)
      fail(`${field}.shape`, 'expected an array of at most 8 sizes', offset);
    let size = 1;
    for (const [d, n] of shape.entries()) {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_ELEMENTS)
        fail(
          `${field}.shape[${d}]`,
          `expected an integer in 0..${MAX_ELEMENTS}, got ${JSON.stringify(n)}`,
          offset,
        );
      size *= n;
    }
    if (size > MAX_ELEMENTS)
      fail(`${field}.shape`, `${size} elements exceed the limit ${MAX_ELEMENTS}`, offset);
    if (encoding !== 'raw' && encoding !== 'sparse' && encoding !== 'shared')
      fail(
        `${field}.encoding`,
        `expected "raw", "sparse" or "shared", got ${JSON.stringify(encoding)}`,
        offset,
      );
    const entry: TensorEntry = { name, shape: shape as number[], encoding, sections: {} };
    if (encoding !== 'raw') {
      entry.indexBits = int(t, 'indexBits', field, offset, 1, 8);
      // every entry covers at least one position, so there are at most `size` of them
      entry.entries = int(t, 'entries', field, offset, 0, size);
      entry.fillers = int(t, 'fillers', field, offset, 0, entry.entries);
    } else {
      for (const k of ['indexBits', 'entries', 'fillers', 'weightBits', 'codebookSize'])
        if (Object.hasOwn(t, k)) fail(`${field}.${k}`, 'not used by the raw encoding', offset);
    }
    if (encoding === 'shared') {
      entry.weightBits = int(t, 'weightBits', field, offset, 1, 8);
      entry.codebookSize = int(t, 'codebookSize', field, offset, 0, 2 ** entry.weightBits - 1);
    } else if (Object.hasOwn(t, 'weightBits') || Object.hasOwn(t, 'codebookSize')) {
      fail(field, 'weightBits and codebookSize belong to the shared encoding', offset);
    }
    if (!isObject(t.sections)) fail(`${field}.sections`, 'expected an object', offset);
    const kinds = SECTIONS[encoding];
    onlyKeys(t.sections, kinds, `${field}.sections`, offset);
    for (const kind of kinds) {
      if (!Object.hasOwn(t.sections, kind)) fail(`${field}.sections`, `missing section "${kind}"`, offset);
      entry.sections[kind] = section(t.sections[kind], `${field}.sections.${kind}`, dataLength, offset);
    }
    return entry;
  });
  return { format: FORMAT_NAME, dataLength, tensors, ...(metadata ? { metadata } : {}) };
}
