// IDX files (MNIST, Fashion-MNIST): raw or gzip-compressed, validated before use. A gzip stream's
// declared size is checked against MAX_IDX_BYTES before it is inflated (a small file cannot claim
// gigabytes), and the inflated size must be the declared one.
import { gunzipSync } from 'fflate';

/** The largest IDX data read, compressed or not (Fashion-MNIST's training images are 47 MB). */
export const MAX_IDX_BYTES = 1 << 30;

export interface IdxArray {
  /** Element type code: 0x08 unsigned byte, 0x09 signed byte, 0x0b short, 0x0c int, 0x0d float, 0x0e double. */
  type: number;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

export class IdxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxError';
  }
}

const SIZES = new Map([
  [0x08, 1],
  [0x09, 1],
  [0x0b, 2],
  [0x0c, 4],
  [0x0d, 4],
  [0x0e, 8],
]);

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Inflates a gzip stream whose trailer declares at most MAX_IDX_BYTES, checking the size it declared. */
function gunzip(bytes: Uint8Array, name: string): Uint8Array {
  if (bytes.length < 18) throw new IdxError(`${name}: ${bytes.length} bytes is too short for a gzip stream`);
  // ISIZE: the uncompressed size mod 2**32, the stream's last four bytes
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    bytes.length - 4,
    true,
  );
  if (declared > MAX_IDX_BYTES)
    throw new IdxError(
      `${name}: gzip stream declares ${declared} bytes, over the limit of ${MAX_IDX_BYTES} (truncated or corrupt?)`,
    );
  let out: Uint8Array;
  try {
    out = gunzipSync(bytes);
  } catch (e) {
    throw new IdxError(`${name}: corrupt or truncated gzip stream (${(e as Error).message})`);
  }
  // the inflater stops at the declared size, so a wrong size or a corrupt stream shows only in the CRC
  const crc = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    bytes.length - 8,
    true,
  );
  if (out.length !== declared || crc32(out) !== crc)
    throw new IdxError(`${name}: gzip stream fails its CRC-32 or size check (corrupt or truncated)`);
  return out;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** The CRC-32 of gzip (ISO 3309). */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Parses IDX bytes (gunzipping first when needed). `name` goes into error messages. */
export function parseIdx(input: Uint8Array, name = 'IDX data'): IdxArray {
  let bytes = input;
  if (isGzip(bytes)) bytes = gunzip(bytes, name);
  if (bytes.length > MAX_IDX_BYTES)
    throw new IdxError(`${name}: ${bytes.length} bytes exceeds the limit of ${MAX_IDX_BYTES}`);
  if (bytes.length < 4) throw new IdxError(`${name}: ${bytes.length} bytes is too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new IdxError(`${name}: bad magic number (not an IDX file)`);
  const type = bytes[2]!;
  const rank = bytes[3]!;
  const size = SIZES.get(type);
  if (!size) throw new IdxError(`${name}: unknown element type 0x${type.toString(16)}`);
  const headerEnd = 4 + 4 * rank;
  if (bytes.length < headerEnd) throw new IdxError(`${name}: truncated header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  // a product past 2**53 is no safe integer however it rounds, so it never equals a file's length
  const count = shape.includes(0) ? 0 : shape.reduce((a, b) => a * b, 1);
  const expected = headerEnd + count * size;
  if (bytes.length !== expected) {
    throw new IdxError(
      `${name}: header says [${shape.join(' x ')}] (${expected} bytes) but the file has ${bytes.length} bytes` +
        (bytes.length < expected ? ' (truncated)' : ''),
    );
  }
  const body = bytes.subarray(headerEnd);
  let data: IdxArray['data'];
  if (type === 0x08) data = body.slice();
  else if (type === 0x09) data = new Int8Array(body.slice().buffer);
  else {
    const Ctor = { 11: Int16Array, 12: Int32Array, 13: Float32Array, 14: Float64Array }[type]!;
    const out = new Ctor(count);
    const get = {
      11: (o: number) => view.getInt16(o, false),
      12: (o: number) => view.getInt32(o, false),
      13: (o: number) => view.getFloat32(o, false),
      14: (o: number) => view.getFloat64(o, false),
    }[type]!;
    for (let i = 0; i < count; i++) out[i] = get(headerEnd + i * size);
    data = out;
  }
  return { type, shape, data };
}

export interface ImageDataset {
  /** Pixels, uint8, [count, rows, cols] row-major. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Pairs an idx3 image file with an idx1 label file and checks that they agree. */
export function imageDatasetFromIdx(
  imagesBytes: Uint8Array,
  labelsBytes: Uint8Array,
  numClasses = 10,
  /** The files' names for error messages. */
  names: { images: string; labels: string } = { images: 'images', labels: 'labels' },
): ImageDataset {
  const images = parseIdx(imagesBytes, names.images);
  const labels = parseIdx(labelsBytes, names.labels);
  if (images.type !== 0x08 || images.shape.length !== 3) {
    throw new IdxError(
      `${names.images}: expected unsigned bytes of rank 3, got type 0x${images.type.toString(16)} rank ${images.shape.length}`,
    );
  }
  if (labels.type !== 0x08 || labels.shape.length !== 1) {
    throw new IdxError(`${names.labels}: expected unsigned bytes of rank 1, got rank ${labels.shape.length}`);
  }
  const [count, rows, cols] = images.shape as [number, number, number];
  if (count < 1 || rows < 1 || cols < 1)
    throw new IdxError(`${names.images}: shape [${images.shape.join(' x ')}] holds no image`);
  if (labels.shape[0] !== count) {
    throw new IdxError(
      `${names.images} has ${count} examples but ${names.labels} has ${labels.shape[0]} (mismatched files?)`,
    );
  }
  const l = labels.data as Uint8Array;
  for (let i = 0; i < l.length; i++) {
    if (l[i]! >= numClasses)
      throw new IdxError(`${names.labels}: label ${i} is ${l[i]}, not a class in 0..${numClasses - 1}`);
  }
  return { images: images.data as Uint8Array, labels: l, count, rows, cols };
}
