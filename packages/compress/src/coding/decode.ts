// Reads the compressed file format back, checking everything before trusting it: the preamble,
// the header's checksum and schema, each section's bounds and checksum, and the decoded contents.
import { type Tensor, tensor } from '@tensorflow/tfjs-core';
import { huffmanDecode } from '../huffman.js';
import { unpackBits } from './bitpack.js';
import { crc32 } from './crc32.js';
import { MAGIC, PREAMBLE_BYTES, VERSION } from './encode.js';
import { CompressedFileError } from './errors.js';
import {
  type FileHeader,
  MAX_HEADER_BYTES,
  type SectionEntry,
  type SectionKind,
  type TensorEntry,
  validateHeader,
} from './header.js';
import { decodeRelativeIndices } from './relative-index.js';
import { type SizeReport, sizeReport } from './sizes.js';

export interface DecodedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface DecodeResult {
  header: FileHeader;
  tensors: DecodedTensor[];
  report: SizeReport;
}

/** Checks the preamble and header; returns the header and where the data region starts. */
export function readHeader(bytes: Uint8Array): { header: FileHeader; dataStart: number } {
  if (bytes.length < PREAMBLE_BYTES)
    throw new CompressedFileError(
      'truncated',
      'preamble',
      bytes.length,
      `file ends after ${bytes.length} of ${PREAMBLE_BYTES} bytes`,
    );
  if (MAGIC.some((m, i) => bytes[i] !== m))
    throw new CompressedFileError('bad-magic', 'preamble', 0, 'not an LDCF file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== VERSION)
    throw new CompressedFileError(
      'unsupported-version',
      'preamble',
      4,
      `version ${version}; this reader knows ${VERSION}`,
    );
  if (view.getUint16(6, true) !== 0)
    throw new CompressedFileError('bad-preamble', 'preamble', 6, 'reserved flags are not 0');
  const headerLength = view.getUint32(8, true);
  if (headerLength > MAX_HEADER_BYTES)
    throw new CompressedFileError(
      'bad-preamble',
      'preamble',
      8,
      `header length ${headerLength} exceeds ${MAX_HEADER_BYTES}`,
    );
  const dataStart = PREAMBLE_BYTES + headerLength;
  if (bytes.length < dataStart)
    throw new CompressedFileError(
      'truncated',
      'header',
      bytes.length,
      `file ends before the header's ${headerLength} bytes`,
    );
  const json = bytes.subarray(PREAMBLE_BYTES, dataStart);
  if (crc32(json) !== view.getUint32(12, true))
    throw new CompressedFileError('checksum', 'header', PREAMBLE_BYTES, 'header CRC-32 mismatch');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    throw new CompressedFileError(
      'bad-header',
      'header',
      PREAMBLE_BYTES,
      `not JSON: ${(e as Error).message}`,
    );
  }
  const header = validateHeader(parsed, PREAMBLE_BYTES);
  const end = dataStart + header.dataLength;
  if (bytes.length < end) {
    const cut = firstCutSection(header, bytes.length - dataStart);
    throw new CompressedFileError(
      'truncated',
      cut,
      bytes.length,
      `file ends ${end - bytes.length} bytes early`,
    );
  }
  if (bytes.length > end)
    throw new CompressedFileError(
      'trailing-bytes',
      'data',
      end,
      `${bytes.length - end} bytes after the last section`,
    );
  return { header, dataStart };
}

function firstCutSection(header: FileHeader, available: number): string {
  for (const t of header.tensors)
    for (const [kind, s] of Object.entries(t.sections))
      if (s && s.offset + s.length > available) return `tensor ${t.name} ${kind}`;
  return 'data';
}

function sectionBytes(bytes: Uint8Array, dataStart: number, t: TensorEntry, kind: SectionKind): Uint8Array {
  const s = t.sections[kind] as SectionEntry;
  const at = dataStart + s.offset;
  const data = bytes.subarray(at, at + s.length);
  if (crc32(data) !== s.crc32)
    throw new CompressedFileError('checksum', `tensor ${t.name} ${kind}`, at, 'section CRC-32 mismatch');
  return data;
}

function badSection(
  t: TensorEntry,
  kind: SectionKind,
  dataStart: number,
  detail: string,
): CompressedFileError {
  return new CompressedFileError(
    'bad-section',
    `tensor ${t.name} ${kind}`,
    dataStart + t.sections[kind]!.offset,
    detail,
  );
}

/** The `count` symbols of a symbol section (raw bytes, packed at `bits` bits, or Huffman-coded). */
function symbolSection(
  bytes: Uint8Array,
  dataStart: number,
  t: TensorEntry,
  kind: SectionKind,
  count: number,
  bits: number,
): Uint8Array {
  const data = sectionBytes(bytes, dataStart, t, kind);
  const coding = t.sections[kind]!.coding;
  if (coding === 'raw') {
    if (data.length !== count)
      throw badSection(t, kind, dataStart, `${data.length} bytes for ${count} entries`);
    return data;
  }
  if (coding === 'packed') {
    try {
      return unpackBits(data, count, bits);
    } catch (e) {
      throw badSection(t, kind, dataStart, (e as Error).message);
    }
  }
  // check the symbol count before decoding, so a hostile count allocates nothing
  const declared =
    data.length >= 8 ? new DataView(data.buffer, data.byteOffset + 4, 4).getUint32(0, true) : -1;
  if (declared !== count)
    throw badSection(t, kind, dataStart, `Huffman stream holds ${declared} symbols, not ${count}`);
  try {
    return huffmanDecode(data);
  } catch (e) {
    throw badSection(t, kind, dataStart, (e as Error).message);
  }
}

function floatSection(
  bytes: Uint8Array,
  dataStart: number,
  t: TensorEntry,
  kind: SectionKind,
  count: number,
): Uint32Array {
  const data = sectionBytes(bytes, dataStart, t, kind);
  if (t.sections[kind]!.coding !== 'raw')
    throw badSection(t, kind, dataStart, 'float32 sections must be stored raw');
  if (data.length !== 4 * count)
    throw badSection(t, kind, dataStart, `${data.length} bytes for ${count} float32 values`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return Uint32Array.from({ length: count }, (_, i) => view.getUint32(4 * i, true));
}

/** The stored entries of a tensor, checked, before they are scattered into a dense array. */
export type TensorEntries =
  | { name: string; shape: number[]; encoding: 'raw'; values: Float32Array }
  | { name: string; shape: number[]; encoding: 'sparse'; positions: Int32Array; values: Float32Array }
  | {
      name: string;
      shape: number[];
      encoding: 'shared';
      positions: Int32Array;
      /** 0 for a zero (filler), j for codebook[j - 1]. */
      codes: Uint8Array;
      codebook: Float32Array;
    };

function readEntries(bytes: Uint8Array, dataStart: number, t: TensorEntry): TensorEntries {
  const size = t.shape.reduce((a, b) => a * b, 1);
  const base = { name: t.name, shape: t.shape };
  if (t.encoding === 'raw') {
    const words = floatSection(bytes, dataStart, t, 'values', size);
    return { ...base, encoding: 'raw', values: new Float32Array(words.buffer) };
  }
  const entries = t.entries!;
  const gaps = symbolSection(bytes, dataStart, t, 'gaps', entries, t.indexBits!);
  let positions: Int32Array;
  try {
    positions = decodeRelativeIndices(gaps, t.indexBits!, size);
  } catch (e) {
    throw badSection(t, 'gaps', dataStart, (e as Error).message);
  }
  let words: Uint32Array;
  let result: TensorEntries;
  if (t.encoding === 'sparse') {
    words = floatSection(bytes, dataStart, t, 'values', entries);
    result = { ...base, encoding: 'sparse', positions, values: new Float32Array(words.buffer) };
  } else {
    const k = t.codebookSize!;
    const codebook = floatSection(bytes, dataStart, t, 'codebook', k);
    const codes = symbolSection(bytes, dataStart, t, 'codes', entries, t.weightBits!);
    words = new Uint32Array(entries);
    for (let i = 0; i < entries; i++) {
      const c = codes[i]!;
      if (c > k)
        throw badSection(t, 'codes', dataStart, `entry ${i} has code ${c}, codebook has ${k} values`);
      words[i] = c === 0 ? 0 : codebook[c - 1]!;
    }
    result = { ...base, encoding: 'shared', positions, codes, codebook: new Float32Array(codebook.buffer) };
  }
  let fillers = 0;
  for (let i = 0; i < entries; i++) if (words[i] === 0) fillers++;
  if (fillers !== t.fillers)
    throw badSection(
      t,
      'gaps',
      dataStart,
      `${fillers} zero entries where the header declares ${t.fillers} fillers`,
    );
  return result;
}

/** The dense values of checked entries (bit-exact: +0 where nothing is stored). */
export function entriesToDense(e: TensorEntries): Float32Array {
  if (e.encoding === 'raw') return e.values;
  const size = e.shape.reduce((a, b) => a * b, 1);
  const out = new Uint32Array(size);
  let bits: Uint32Array;
  if (e.encoding === 'sparse') bits = new Uint32Array(e.values.buffer, e.values.byteOffset, e.values.length);
  else {
    const book = new Uint32Array(e.codebook.buffer, e.codebook.byteOffset, e.codebook.length);
    bits = Uint32Array.from(e.codes, (c) => (c === 0 ? 0 : book[c - 1]!));
  }
  for (let i = 0; i < e.positions.length; i++) out[e.positions[i]!] = bits[i]!;
  return new Float32Array(out.buffer);
}

function decodeTensor(bytes: Uint8Array, dataStart: number, t: TensorEntry): DecodedTensor {
  return { name: t.name, shape: t.shape, values: entriesToDense(readEntries(bytes, dataStart, t)) };
}

/**
 * Decodes a whole file into each tensor's stored entries (positions with float32 values, or with
 * codebook indices and the codebook) without expanding them: what runs shared weights directly.
 * Checked as decodeCompressed checks.
 */
export function decodeEntries(bytes: Uint8Array): { header: FileHeader; tensors: TensorEntries[] } {
  const { header, dataStart } = readHeader(bytes);
  return { header, tensors: header.tensors.map((t) => readEntries(bytes, dataStart, t)) };
}

/** Decodes a whole file; any problem throws a CompressedFileError naming the section and offset. */
export function decodeCompressed(bytes: Uint8Array): DecodeResult {
  const { header, dataStart } = readHeader(bytes);
  const tensors = header.tensors.map((t) => decodeTensor(bytes, dataStart, t));
  return { header, tensors, report: sizeReport(header, bytes.length) };
}

/** Sizes per tensor and stage from a file's checked header (the sections are not read). */
export function describeCompressed(bytes: Uint8Array): SizeReport {
  const { header } = readHeader(bytes);
  return sizeReport(header, bytes.length);
}

/** Decoded tensors as tfjs tensors by name (the caller owns them), e.g. for Module.loadStateDict. */
export function decodedToTensors(tensors: ReadonlyArray<DecodedTensor>): Record<string, Tensor> {
  return Object.fromEntries(tensors.map((t) => [t.name, tensor(t.values, t.shape, 'float32')]));
}
