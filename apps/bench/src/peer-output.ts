// What the PyTorch peers print is input like any file: it is collected up to a limit, and every field
// the bench uses is checked, so that a broken or changed peer script fails with its name and the field
// instead of a TypeError, a NaN in a figure or an unbounded buffer.

/** Largest output collected from a peer's stdout, in bytes (the peers print a few lines of JSON). */
export const MAX_PEER_OUTPUT = 16 * 2 ** 20;

/** A peer's output that is too long, not JSON, or lacks a field the bench reads. */
export class PeerOutputError extends Error {
  override readonly name = 'PeerOutputError';
  constructor(
    /** The peer script's file name, e.g. quality_peer.py. */
    readonly script: string,
    /** The field at fault (a JSON key, or a printed key such as `median=`), when it is one. */
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

/** A non-empty string at `o[field]`. */
export function stringField(o: Record<string, unknown>, field: string, script: string): string {
  const v = own(o, field);
  if (typeof v !== 'string' || v === '')
    throw new PeerOutputError(script, field, `expected a non-empty string, got ${shown(v)}`);
  return v;
}

/** An array of finite numbers at `o[field]`. */
export function numberArrayField(o: Record<string, unknown>, field: string, script: string): number[] {
  const v = own(o, field);
  if (!Array.isArray(v)) throw new PeerOutputError(script, field, `expected an array, got ${shown(v)}`);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new PeerOutputError(script, `${field}[${i}]`, `expected a finite number, got ${shown(x)}`);
  });
  return v as number[];
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
