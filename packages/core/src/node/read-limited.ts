// Whole-file reads with a size limit: a file (or a stream such as standard input) over the limit is
// refused with its name, size and the limit before it can exhaust memory; a stream is counted as it
// arrives and abandoned at the limit.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Limits of the files @lab reads whole, in bytes (a caller may pass its own). */
export const FILE_LIMITS = {
  /** CoNLL-U, plain text, word vectors: 256 MiB (the longest string V8 makes is 2^29 - 24 characters). */
  text: 256 * 2 ** 20,
  /** safetensors checkpoints and weights, .npy arrays: 4 GiB (Node's largest Buffer on 64-bit). */
  tensors: 4 * 2 ** 30,
  /** JSON configurations and vocabularies: 256 MiB. */
  json: 256 * 2 ** 20,
  /** IDX image and label files (gzip or raw): 1 GiB, as MAX_IDX_BYTES for the inflated data. */
  idx: 2 ** 30,
} as const;

/** A file or stream larger than the limit its reader allows. */
export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
  constructor(
    /** The file's path, or a name such as "standard input". */
    readonly source: string,
    /** Its size in bytes, or undefined for a stream (only that it exceeds the limit is known). */
    readonly size: number | undefined,
    readonly limit: number,
    /** How to raise the limit, e.g. "--max-input-bytes raises it". */
    hint?: string,
  ) {
    super(
      `${source}: ${size === undefined ? 'more than' : `${size} bytes, more than`} the limit of ${limit} bytes${hint ? `; ${hint}` : ''}`,
    );
  }
}

export interface ReadLimitedOptions {
  /** How to raise the limit, appended to the error. */
  hint?: string;
}

const CHUNK = 1 << 20;

/**
 * Reads a whole file of at most `maxBytes` bytes. A regular file's size is checked before reading;
 * the read itself stops at the limit too (a file that grows meanwhile, a device or a FIFO).
 */
export function readFileLimited(path: string, maxBytes: number, options: ReadLimitedOptions = {}): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`, { cause: e });
    if (code === 'EISDIR') throw new Error(`${path}: a directory, not a file`, { cause: e });
    throw e;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new Error(`${path}: a directory, not a file`);
    if (stat.isFile() && stat.size > maxBytes)
      throw new FileTooLargeError(path, stat.size, maxBytes, options.hint);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new FileTooLargeError(path, undefined, maxBytes, options.hint);
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** Reads a stream (e.g. process.stdin) whole, counting its bytes and abandoning it past `maxBytes`. */
export async function readStreamLimited(
  stream: AsyncIterable<Uint8Array | string> & { destroy?: () => void },
  name: string,
  maxBytes: number,
  options: ReadLimitedOptions = {},
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const piece of stream) {
    const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    total += chunk.length;
    if (total > maxBytes) {
      stream.destroy?.();
      throw new FileTooLargeError(name, undefined, maxBytes, options.hint);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
