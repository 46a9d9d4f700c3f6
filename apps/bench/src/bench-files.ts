// The files the bench reads itself (a model's training record, CoNLL-U test sets, the peers' .npy
// samples): read with @lab/core's size limits and checked, every error naming the file (and field).
import { parseNpy } from '@lab/core';
import { FILE_LIMITS, readFileLimited } from '@lab/core/node';

/** A file the bench reads that is not what it should be; names the file and, where one is, the field. */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(`${file}: ${field === undefined ? '' : `${field}: `}${detail}`);
  }
}

/** A whole UTF-8 text file of at most `limit` bytes; bytes that are not UTF-8 (a binary file) are refused. */
export function readTextFile(path: string, limit: number = FILE_LIMITS.text): string {
  const bytes = readFileLimited(path, limit);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputFileError(path, undefined, 'not UTF-8 text (a binary file?)');
  }
}

/** A JSON file whose top level is an object (FILE_LIMITS.json). */
export function readJsonObject(path: string): Record<string, unknown> {
  const text = readTextFile(path, FILE_LIMITS.json);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InputFileError(path, undefined, `not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new InputFileError(path, undefined, 'not a JSON object');
  return v as Record<string, unknown>;
}

/** Images of 28 x 28 finite pixels in a .npy file ([n, 28, 28], [n, 28, 28, 1] or [n, 784]), n >= 1. */
export function readImagesNpy(path: string): { data: Float32Array; count: number } {
  // parseNpy's NpyError names the file; NaN and infinite values are refused there too
  const { data, shape } = parseNpy(readFileLimited(path, FILE_LIMITS.tensors), { source: path });
  const count = shape[0] ?? 0;
  const perImage = shape.slice(1).reduce((a, b) => a * b, 1);
  if (shape.length < 2 || count < 1 || perImage !== 28 * 28 || data.length !== count * 784)
    throw new InputFileError(path, 'shape', `[${shape.join(', ')}] is not n >= 1 images of 28 x 28`);
  return { data, count };
}
