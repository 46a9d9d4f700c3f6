// What the PyTorch peers print, and the files they write, are input like any file: output is collected
// up to a limit, files are read up to a limit, and every field the bench uses is checked, so that a
// broken or changed peer script fails with its name and the field (or file) instead of a TypeError, a
// NaN in a figure or an unbounded buffer.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { NpyError, parseNpy } from '@lab/core';

/** Largest output collected from a peer's stdout, in bytes (the peers print a few lines of JSON). */
export const MAX_PEER_OUTPUT = 16 * 2 ** 20;

/** Largest file read from a peer's output directory, in bytes (W1's largest weight is 5 MB). */
export const MAX_PEER_FILE = 256 * 2 ** 20;

/** A peer's output that is too long, not JSON, or lacks a field the bench reads. */
export class PeerOutputError extends Error {
  override readonly name = 'PeerOutputError';
  constructor(
    /** The peer script's file name, e.g. quality_peer.py. */
    readonly script: string,
    /** The field at fault (a JSON key, a printed key such as `median=`, or a file it wrote), if one. */
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(`${script}: ${field === undefined ? '' : `${field}: `}${detail}`);
  }
}

/** Collects a child's stdout in pieces, refusing more than `limit` bytes in all. */
export class OutputCollector {
  private readonly pieces: string[] = [];
  private bytes = 0;
  constructor(
    private readonly script: string,
    private readonly limit = MAX_PEER_OUTPUT,
  ) {}

  /** Adds a piece; throws a PeerOutputError once the total passes the limit. */
  add(piece: string | Uint8Array): void {
    const text = typeof piece === 'string' ? piece : Buffer.from(piece).toString('utf8');
    this.bytes += Buffer.byteLength(text);
    if (this.bytes > this.limit)
      throw new PeerOutputError(this.script, undefined, `printed more than ${this.limit} bytes`);
    this.pieces.push(text);
  }

  text(): string {
    return this.pieces.join('');
  }
}

/** The JSON object on the last non-empty line of `stdout`. */
export function lastJsonObject(stdout: string, script: string): Record<string, unknown> {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .at(-1);
  if (line === undefined) throw new PeerOutputError(script, undefined, 'printed nothing');
  return jsonObject(line, script, 'its last line');
}

/** `line` parsed as a JSON object; `where` says which line it was in the error. */
export function jsonObject(line: string, script: string, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new PeerOutputError(script, undefined, `${where} is not JSON: ${line.slice(0, 80)}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new PeerOutputError(script, undefined, `${where} is not a JSON object: ${line.slice(0, 80)}`);
  return v as Record<string, unknown>;
}

/** The own property `field` of `o` (never an inherited one such as `constructor`). */
const own = (o: Record<string, unknown>, field: string) => (Object.hasOwn(o, field) ? o[field] : undefined);

export interface NumberRange {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** A finite number in range at `o[field]`; `where` prefixes the field in the error (e.g. "line 2: "). */
export function numberField(
  o: Record<string, unknown>,
  field: string,
  script: string,
  range: NumberRange = {},
  where = '',
): number {
  const v = own(o, field);
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, integer = false } = range;
  const what = `${integer ? 'an integer' : 'a finite number'}${rangeText(min, max)}`;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max)
    throw new PeerOutputError(script, `${where}${field}`, `expected ${what}, got ${shown(v)}`);
  return v;
}

/** An optional number: undefined when the field is absent, checked as numberField otherwise. */
export function optionalNumberField(
  o: Record<string, unknown>,
  field: string,
  script: string,
  range: NumberRange = {},
): number | undefined {
  return own(o, field) === undefined ? undefined : numberField(o, field, script, range);
}

/** A non-empty string at `o[field]`; `where` prefixes the field in the error. */
export function stringField(o: Record<string, unknown>, field: string, script: string, where = ''): string {
  const v = own(o, field);
  if (typeof v !== 'string' || v === '')
    throw new PeerOutputError(script, `${where}${field}`, `expected a non-empty string, got ${shown(v)}`);
  return v;
}

/** An array at `o[field]`, of `length` elements when given. */
function arrayField(
  o: Record<string, unknown>,
  field: string,
  script: string,
  length: number | undefined,
): unknown[] {
  const v = own(o, field);
  if (!Array.isArray(v)) throw new PeerOutputError(script, field, `expected an array, got ${shown(v)}`);
  if (length !== undefined && v.length !== length)
    throw new PeerOutputError(script, field, `expected ${length} elements, got ${v.length}`);
  return v;
}

/** An array of finite numbers at `o[field]`, of `length` elements when given. */
export function numberArrayField(
  o: Record<string, unknown>,
  field: string,
  script: string,
  length?: number,
): number[] {
  const v = arrayField(o, field, script, length);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new PeerOutputError(script, `${field}[${i}]`, `expected a finite number, got ${shown(x)}`);
  });
  return v as number[];
}

/** An array of `rows` arrays of `cols` finite numbers each at `o[field]` (a table such as losses). */
export function numberRowsField(
  o: Record<string, unknown>,
  field: string,
  script: string,
  rows: number,
  cols: number,
): number[][] {
  return arrayField(o, field, script, rows).map((row, i) =>
    numberArrayField({ [`${field}[${i}]`]: row }, `${field}[${i}]`, script, cols),
  );
}

/** An array of JSON objects at `o[field]`; the error names the element (`results[3]`). */
export function objectArrayField(
  o: Record<string, unknown>,
  field: string,
  script: string,
): Record<string, unknown>[] {
  return arrayField(o, field, script, undefined).map((x, i) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x))
      throw new PeerOutputError(script, `${field}[${i}]`, `expected a JSON object, got ${shown(x)}`);
    return x as Record<string, unknown>;
  });
}

/** A JSON object at `o[field]` whose values pass `check` (given the key and the value). */
export function recordField<T>(
  o: Record<string, unknown>,
  field: string,
  script: string,
  check: (key: string, value: unknown) => T,
  where = '',
): Map<string, T> {
  const v = own(o, field);
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new PeerOutputError(script, `${where}${field}`, `expected a JSON object, got ${shown(v)}`);
  const out = new Map<string, T>();
  for (const [k, x] of Object.entries(v)) out.set(k, check(k, x));
  return out;
}

/**
 * The bytes of a file the peer wrote: a PeerOutputError naming the file when it is missing, not a
 * regular file, or larger than `limit` (checked before reading).
 */
export function readPeerFile(path: string, script: string, limit = MAX_PEER_FILE): Buffer {
  const file = basename(path);
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new PeerOutputError(script, file, 'is not a regular file');
    size = st.size;
  } catch (e) {
    if (e instanceof PeerOutputError) throw e;
    throw new PeerOutputError(script, file, `the peer wrote no such file (${path})`);
  }
  if (size > limit) throw new PeerOutputError(script, file, `${size} bytes, more than the limit of ${limit}`);
  return readFileSync(path);
}

/**
 * A float32 .npy file the peer wrote, checked by parseNpy (finite values, exact length) and, when
 * `shape` is given, of exactly that shape; every failure is a PeerOutputError naming the file.
 */
export function readPeerNpy(
  path: string,
  script: string,
  shape?: readonly number[],
): { data: Float32Array; shape: number[] } {
  const file = basename(path);
  let out: { data: Float32Array; shape: number[] };
  try {
    out = parseNpy(readPeerFile(path, script), { source: file });
  } catch (e) {
    if (e instanceof NpyError) throw new PeerOutputError(script, file, e.detail);
    throw e;
  }
  if (shape !== undefined && out.shape.join() !== shape.join())
    throw new PeerOutputError(
      script,
      file,
      `shape [${out.shape.join(', ')}], expected [${shape.join(', ')}]`,
    );
  return out;
}

function rangeText(min: number, max: number): string {
  if (Number.isFinite(min) && Number.isFinite(max)) return ` in [${min}, ${max}]`;
  if (Number.isFinite(min)) return ` >= ${min}`;
  if (Number.isFinite(max)) return ` <= ${max}`;
  return '';
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
