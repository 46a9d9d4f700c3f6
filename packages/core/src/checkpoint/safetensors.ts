// The safetensors format (https://github.com/huggingface/safetensors), written to its spec and read
// with the reference reader's validation: 8-byte little-endian header length; a JSON header mapping
// names to { dtype, shape, data_offsets } plus an optional "__metadata__" of strings; then the data.
// Hostile files get a typed error before any large allocation: the header is at most MAX_HEADER_BYTES,
// every name from the file is looked up as an own property (a dtype "constructor" is unknown, a tensor
// "__proto__" is a tensor), byte counts are checked in safe-integer arithmetic, and the offsets must tile
// the data section exactly.

export type SafeDtype =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U8'
  | 'U16'
  | 'U32'
  | 'U64'
  | 'BOOL';
const DTYPE_SIZE: Record<SafeDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  U16: 2,
  U32: 4,
  U64: 8,
  BOOL: 1,
};
/** The reference implementation's limit on the header size. */
export const MAX_HEADER_BYTES = 100_000_000;
/** The most dimensions a tensor may have (the reference has no limit; real tensors have a handful). */
export const MAX_RANK = 32;

/** Bytes per element of a dtype named in a file, or undefined for a name that is not a dtype. */
function dtypeSize(name: unknown): number | undefined {
  return typeof name === 'string' && Object.hasOwn(DTYPE_SIZE, name)
    ? DTYPE_SIZE[name as SafeDtype]
    : undefined;
}

export type SafetensorsErrorCode =
  | 'TooShort'
  | 'HeaderTooLarge'
  | 'HeaderOutOfBounds'
  | 'InvalidHeader'
  | 'InvalidDtype'
  | 'InvalidShape'
  | 'DuplicateName'
  | 'InvalidOffsets'
  | 'SizeMismatch'
  | 'TrailingData'
  | 'InvalidMetadata';

export class SafetensorsError extends Error {
  constructor(
    readonly code: SafetensorsErrorCode,
    readonly detail: string,
    /** The file, when known. */
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}safetensors ${code}: ${detail}`);
    this.name = 'SafetensorsError';
  }
  /** The same error, naming the file it came from. */
  inFile(source: string): SafetensorsError {
    return new SafetensorsError(this.code, this.detail, source);
  }
}

export interface RawTensor {
  dtype: SafeDtype;
  shape: number[];
  /** The tensor's bytes (a view into the file buffer), little-endian. */
  bytes: Uint8Array;
}

export interface TensorEntry {
  dtype: SafeDtype;
  shape: number[];
  data:
    | Float32Array
    | Int32Array
    | Uint8Array
    | Float64Array
    | Int8Array
    | Int16Array
    | Uint16Array
    | Uint32Array;
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Serialises tensors (sorted by name, as the reference writer does) with optional string metadata. */
export function serializeSafetensors(
  tensors: Readonly<Record<string, TensorEntry>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const names = Object.keys(tensors).sort();
  // null prototype: a tensor named __proto__ is an ordinary key
  const header: Record<string, unknown> = Object.create(null);
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new SafetensorsError('InvalidMetadata', `metadata '${k}' is not a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__')
      throw new SafetensorsError('InvalidHeader', 'a tensor cannot be named __metadata__');
    const t = tensors[name]!;
    const size = dtypeSize(t.dtype);
    if (!size) throw new SafetensorsError('InvalidDtype', `${name}: unknown dtype ${t.dtype}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.byteLength !== count * size) {
      throw new SafetensorsError(
        'SizeMismatch',
        `${name}: ${t.data.byteLength} bytes for shape [${t.shape}] of ${t.dtype}`,
      );
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // pad the header with spaces so the data starts 8-byte aligned (allowed by the spec)
  const raw = new TextEncoder().encode(json);
  const pad = (8 - ((8 + raw.length) % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors[name]!.data;
    const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    if (!isLittleEndian) throw new Error('big-endian hosts are not supported');
    out.set(bytes, pos);
    pos += bytes.length;
  }
  return out;
}

/** Names of the top-level keys of a JSON object text, in order (JSON.parse hides duplicates). */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let i = 0;
  let expectKey = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      expectKey = false;
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
    i++;
  }
  return keys;
}

/** One tensor's header entry, validated: dtype, shape and offsets whose byte counts agree. */
function headerEntry(
  name: string,
  raw: unknown,
): { name: string; dtype: SafeDtype; shape: number[]; begin: number; end: number } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SafetensorsError('InvalidHeader', `${name}: entry is not an object`);
  const field = (k: string) => (Object.hasOwn(raw, k) ? (raw as Record<string, unknown>)[k] : undefined);
  const dtype = field('dtype');
  const size = dtypeSize(dtype);
  if (size === undefined)
    throw new SafetensorsError('InvalidDtype', `${name}: dtype ${JSON.stringify(dtype) ?? 'missing'}`);
  const shape = field('shape');
  if (
    !Array.isArray(shape) ||
    shape.length > MAX_RANK ||
    !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
  ) {
    throw new SafetensorsError(
      'InvalidShape',
      `${name}: shape ${JSON.stringify(shape) ?? 'missing'} (at most ${MAX_RANK} sizes >= 0)`,
    );
  }
  const off = field('data_offsets');
  if (
    !Array.isArray(off) ||
    off.length !== 2 ||
    !off.every((d) => Number.isSafeInteger(d) && d >= 0) ||
    off[0] > off[1]
  ) {
    throw new SafetensorsError('InvalidOffsets', `${name}: data_offsets ${JSON.stringify(off) ?? 'missing'}`);
  }
  // a product past 2**53 is no safe integer however it rounds, so an overflow cannot pass for a size
  let bytes = shape.includes(0) ? 0 : size;
  for (const d of shape as number[]) bytes *= d;
  if (!Number.isSafeInteger(bytes) || off[1] - off[0] !== bytes) {
    throw new SafetensorsError(
      'SizeMismatch',
      `${name}: ${off[1] - off[0]} bytes for shape [${shape}] of ${dtype} (${bytes} expected)`,
    );
  }
  return { name, dtype: dtype as SafeDtype, shape: shape as number[], begin: off[0], end: off[1] };
}

/** Parses and validates a safetensors buffer. */
export function parseSafetensors(buf: Uint8Array): {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string>;
} {
  if (buf.length < 8)
    throw new SafetensorsError('TooShort', `${buf.length} bytes is shorter than the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError('HeaderTooLarge', `header of ${n64} bytes exceeds ${MAX_HEADER_BYTES}`);
  }
  const n = Number(n64);
  if (8 + n > buf.length)
    throw new SafetensorsError(
      'HeaderOutOfBounds',
      `header of ${n} bytes runs past the ${buf.length}-byte file`,
    );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError('InvalidHeader', 'header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw new SafetensorsError('InvalidHeader', 'header does not start with "{"');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError('InvalidHeader', `header is not JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('InvalidHeader', 'header is not a JSON object');
  }
  const keys = topLevelKeys(text);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) throw new SafetensorsError('DuplicateName', `'${k}' appears twice in the header`);
    seen.add(k);
  }
  const data = buf.subarray(8 + n);
  // null prototypes: names from the file never reach Object.prototype
  const metadata: Record<string, string> = Object.create(null);
  const entries: { name: string; dtype: SafeDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new SafetensorsError('InvalidMetadata', '__metadata__ is not an object');
      }
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string')
          throw new SafetensorsError('InvalidMetadata', `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(headerEntry(name, raw));
  }
  // offsets must tile the data buffer exactly, from 0, without gaps or overlaps
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  const tensors: Record<string, RawTensor> = Object.create(null);
  for (const e of entries) {
    if (e.begin !== expected) {
      throw new SafetensorsError(
        'InvalidOffsets',
        `${e.name} starts at ${e.begin}, expected ${expected} (gap or overlap)`,
      );
    }
    if (e.end > data.length)
      throw new SafetensorsError(
        'InvalidOffsets',
        `${e.name} ends at ${e.end}, past the data (${data.length} bytes)`,
      );
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, bytes: data.subarray(e.begin, e.end) };
    expected = e.end;
  }
  if (expected !== data.length) {
    throw new SafetensorsError(
      'TrailingData',
      `tensors cover ${expected} bytes but the data section has ${data.length}`,
    );
  }
  return { tensors, metadata };
}

/** Decodes a raw tensor into a typed array (F16 and BF16 widen to float32, I64/U64 narrow to int32 with a range check). */
export function decodeTensor(t: RawTensor): {
  dtype: 'float32' | 'int32' | 'bool';
  data: Float32Array | Int32Array | Uint8Array;
} {
  const copy = new Uint8Array(t.bytes); // an aligned copy (Buffer.slice would share memory)
  const count = t.shape.reduce((a, b) => a * b, 1);
  const dv = new DataView(copy.buffer);
  switch (t.dtype) {
    case 'F32':
      return { dtype: 'float32', data: new Float32Array(copy.buffer) };
    case 'F64':
      return { dtype: 'float32', data: Float32Array.from(new Float64Array(copy.buffer)) };
    case 'F16':
      return { dtype: 'float32', data: widenF16(copy, count) };
    case 'BF16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = bf16(dv.getUint16(2 * i, true));
      return { dtype: 'float32', data: out };
    }
    case 'I32':
      return { dtype: 'int32', data: new Int32Array(copy.buffer) };
    case 'I16':
      return { dtype: 'int32', data: Int32Array.from(new Int16Array(copy.buffer)) };
    case 'I8':
      return { dtype: 'int32', data: Int32Array.from(new Int8Array(copy.buffer)) };
    case 'U8':
      return { dtype: 'int32', data: Int32Array.from(copy) };
    case 'U16':
      return { dtype: 'int32', data: Int32Array.from(new Uint16Array(copy.buffer)) };
    case 'BOOL':
      return { dtype: 'bool', data: copy };
    case 'I64':
    case 'U64':
    case 'U32': {
      const out = new Int32Array(count);
      const size = DTYPE_SIZE[t.dtype];
      for (let i = 0; i < count; i++) {
        const v =
          t.dtype === 'U32'
            ? dv.getUint32(4 * i, true)
            : Number(t.dtype === 'I64' ? dv.getBigInt64(size * i, true) : dv.getBigUint64(size * i, true));
        if (v > 2147483647 || v < -2147483648)
          throw new SafetensorsError('InvalidDtype', `${t.dtype} value ${v} does not fit int32`);
        out[i] = v;
      }
      return { dtype: 'int32', data: out };
    }
    default:
      throw new SafetensorsError('InvalidDtype', `cannot decode dtype ${JSON.stringify(t.dtype)}`);
  }
}

/** float32 -> IEEE float16 bits (round to nearest even; overflow to infinity, tiny values to subnormals or zero). */
export function float16Bits(x: Float32Array): Uint16Array {
  const out = new Uint16Array(x.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < x.length; i++) {
    f[0] = x[i]!;
    const b = u[0]!;
    const sign = (b >>> 16) & 0x8000;
    const exp = (b >>> 23) & 0xff;
    let mant = b & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let h = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (rem > halfway || (rem === halfway && h & 1)) h++;
      out[i] = sign | h;
      continue;
    }
    let h = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
    out[i] = sign | h;
  }
  return out;
}

/**
 * Little-endian float16 values widened to float32 by moving their bits (a normal number's exponent is
 * rebiased, its mantissa shifted): loading a float16 model spent most of its time in f16() per value.
 * Subnormals, infinities and NaN, rare in weights, take f16().
 */
export function widenF16(bytes: Uint8Array, count: number): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < count; i++) {
    const h = dv.getUint16(2 * i, true);
    const e = h & 0x7c00;
    if (e !== 0 && e !== 0x7c00) bits[i] = ((h & 0x8000) << 16) | (((h & 0x7fff) + 0x1c000) << 13);
    else out[i] = f16(h);
  }
  return out;
}

function f16(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (m / 1024);
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}
function bf16(h: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setUint32(0, h << 16);
  return b.getFloat32(0);
}
