// Writes tensors to the compressed file format (layout in the package README): a 16-byte preamble,
// a JSON header with one entry per tensor, then the data sections each header entry points at.
import type { Tensor } from '@tensorflow/tfjs-core';
import { huffmanEncode } from '../huffman.js';
import { packBits } from './bitpack.js';
import { crc32 } from './crc32.js';
import {
  type Encoding,
  type FileHeader,
  FORMAT_NAME,
  MAX_ELEMENTS,
  type SectionCoding,
  type SectionEntry,
  type SectionKind,
  type TensorEntry,
} from './header.js';
import { encodeRelativeIndices } from './relative-index.js';
import { type SizeReport, sizeReport } from './sizes.js';

export const MAGIC = Uint8Array.from([0x4c, 0x44, 0x43, 0x46]); // "LDCF"
export const VERSION = 1;
export const PREAMBLE_BYTES = 16;

export type TensorInput = Tensor | { shape: readonly number[]; values: Float32Array };

export interface EncodeOptions {
  /** Relative-index bits: a number, or per tensor; default 8 for rank-4 kernels, 5 otherwise (Han et al.). */
  indexBits?: number | Readonly<Record<string, number>>;
  /**
   * Encoding per tensor; 'auto' (default) picks the smallest of raw float32, sparse (float32 values
   * with relative indices) and shared (a codebook of at most 255 values and one code per entry).
   * Tensors of rank < 2 (biases) are written raw under 'auto'.
   */
  encoding?: Readonly<Record<string, Encoding | 'auto'>>;
  /** Codebook-index bits for the size accounting of shared tensors (default: the fewest that fit). */
  weightBits?: Readonly<Record<string, number>>;
  metadata?: Readonly<Record<string, string>>;
}

export interface EncodeResult {
  bytes: Uint8Array;
  report: SizeReport;
}

const defaultIndexBits = (shape: readonly number[]) => (shape.length === 4 ? 8 : 5);

function bitsOf(input: TensorInput, name: string): { shape: number[]; bits: Uint32Array } {
  const shape = [...input.shape];
  const size = shape.reduce((a, b) => a * b, 1);
  if (size > MAX_ELEMENTS)
    throw new RangeError(`encode: tensor '${name}' has more than ${MAX_ELEMENTS} elements`);
  let values: Float32Array;
  if ('values' in input) values = input.values;
  else {
    if (input.dtype !== 'float32')
      throw new TypeError(`encode: tensor '${name}' is ${input.dtype}, not float32`);
    values = input.dataSync() as Float32Array;
  }
  if (values.length !== size)
    throw new RangeError(
      `encode: tensor '${name}' has ${values.length} values for shape [${shape.join(', ')}]`,
    );
  // bit patterns, so that every value (also -0 and NaN payloads) is written exactly
  return {
    shape,
    bits: new Uint32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
  };
}

interface Planned {
  entry: Omit<TensorEntry, 'sections'>;
  sections: [SectionKind, Uint8Array, SectionCoding][];
}

/** The smaller of the symbols packed at `bits` bits each and their Huffman code. */
function symbolSection(
  kind: SectionKind,
  data: Uint8Array,
  bits: number,
): [SectionKind, Uint8Array, SectionCoding] {
  const huff = huffmanEncode(data);
  const packed = packBits(data, bits);
  return huff.length < packed.length ? [kind, huff, 'huffman'] : [kind, packed, 'packed'];
}

function floatBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setUint32(4 * i, words[i]!, true);
  return out;
}

function plan(name: string, input: TensorInput, options: EncodeOptions): Planned {
  const { shape, bits } = bitsOf(input, name);
  const size = bits.length;
  const ib = options.indexBits;
  const indexBits =
    ib === undefined
      ? defaultIndexBits(shape)
      : typeof ib === 'number'
        ? ib
        : (ib[name] ?? defaultIndexBits(shape));
  const requested = options.encoding?.[name] ?? 'auto';
  if (!['auto', 'raw', 'sparse', 'shared'].includes(requested))
    throw new RangeError(`encode: unknown encoding '${requested}' for '${name}'`);
  const raw = (): Planned => ({
    entry: { name, shape, encoding: 'raw' },
    sections: [['values', floatBytes(bits), 'raw']],
  });
  if (requested === 'raw' || (requested === 'auto' && shape.length < 2)) return raw();

  // a weight is absent when its bits are +0; -0 is kept as a value so decoding is bit exact
  const positions: number[] = [];
  for (let i = 0; i < size; i++) if (bits[i] !== 0) positions.push(i);
  const rel = encodeRelativeIndices(positions, indexBits);
  const entries = rel.sources.length;
  const distinct = Array.from(new Set(positions.map((i) => bits[i]!)));
  const sharedPossible = distinct.length <= 255;
  if (requested === 'shared' && !sharedPossible)
    throw new RangeError(
      `encode: '${name}' has ${distinct.length} distinct non-zero values; shared allows 255`,
    );
  const choice: Encoding =
    requested !== 'auto'
      ? requested
      : (() => {
          const est = {
            raw: 4 * size,
            sparse: 5 * entries,
            shared: sharedPossible ? entries + 4 * distinct.length : Infinity,
          };
          return (Object.keys(est) as Encoding[]).reduce((a, b) => (est[b] < est[a] ? b : a));
        })();
  if (choice === 'raw') return raw();
  const base = { name, shape, entries, fillers: rel.fillers, indexBits };
  const gaps = symbolSection('gaps', rel.gaps, indexBits);
  if (choice === 'sparse') {
    const words = Uint32Array.from(rel.sources, (s) => (s < 0 ? 0 : bits[s]!));
    return { entry: { ...base, encoding: 'sparse' }, sections: [gaps, ['values', floatBytes(words), 'raw']] };
  }
  // codebook sorted by value (ties and -0 by bit pattern); code 0 is zero, code j + 1 is codebook[j]
  const f32 = new Float32Array(Uint32Array.from(distinct).buffer);
  const order = Array.from(distinct.keys()).sort((a, b) => f32[a]! - f32[b]! || distinct[a]! - distinct[b]!);
  const codebook = Uint32Array.from(order, (j) => distinct[j]!);
  const codeOf = new Map<number, number>(Array.from(codebook, (w, j) => [w, j + 1]));
  const codes = Uint8Array.from(rel.sources, (s) => (s < 0 ? 0 : codeOf.get(bits[s]!)!));
  const fewest = Math.max(1, Math.ceil(Math.log2(codebook.length + 1)));
  const weightBits = options.weightBits?.[name] ?? fewest;
  if (!Number.isInteger(weightBits) || weightBits < fewest || weightBits > 8)
    throw new RangeError(
      `encode: weightBits for '${name}' must be an integer in ${fewest}..8, got ${weightBits}`,
    );
  return {
    entry: { ...base, encoding: 'shared', weightBits, codebookSize: codebook.length },
    sections: [gaps, symbolSection('codes', codes, weightBits), ['codebook', floatBytes(codebook), 'raw']],
  };
}

/** Encodes tensors (e.g. a module's stateDict()) and reports the size of each stage. */
export function encodeCompressed(
  tensors: Readonly<Record<string, TensorInput>>,
  options: EncodeOptions = {},
): EncodeResult {
  const planned = Object.entries(tensors).map(([name, t]) => plan(name, t, options));
  const chunks: Uint8Array[] = [];
  let dataLength = 0;
  const entries: TensorEntry[] = planned.map(({ entry, sections }) => {
    const out: Partial<Record<SectionKind, SectionEntry>> = {};
    for (const [kind, data, coding] of sections) {
      out[kind] = { offset: dataLength, length: data.length, crc32: crc32(data), coding };
      chunks.push(data);
      dataLength += data.length;
    }
    return { ...entry, sections: out };
  });
  const header: FileHeader = {
    format: FORMAT_NAME,
    dataLength,
    tensors: entries,
    ...(options.metadata ? { metadata: { ...options.metadata } } : {}),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(PREAMBLE_BYTES + json.length + dataLength);
  bytes.set(MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint16(4, VERSION, true);
  view.setUint16(6, 0, true);
  view.setUint32(8, json.length, true);
  view.setUint32(12, crc32(json), true);
  bytes.set(json, PREAMBLE_BYTES);
  let o = PREAMBLE_BYTES + json.length;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  return { bytes, report: sizeReport(header, bytes.length) };
}
