// The files of `--combine` (combine.ts) as hostile input, in the manner of peer-output.ts: each file
// read once and bounded, the JSON lines of one workload picked out of the bench's captured stdout
// (pnpm's banner and other text lines skipped), every field typed, numbers finite, own properties
// only, and a fault a CombineInputError naming the file, the line and the field.
import { resolve } from 'node:path';
import { FILE_LIMITS, readFileLimited } from '@lab/core/node';

/** An input of --combine that cannot be read, is not a bench line, or cannot be combined with the others. */
export class CombineInputError extends Error {
  override readonly name = 'CombineInputError';
  constructor(
    readonly file: string,
    /** 1-based line number, when the fault is in a line. */
    readonly line: number | undefined,
    /** The field at fault as a path (`runs[2].checkpoints[0].fd`), when one is. */
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(
      `--combine ${file}${line === undefined ? '' : ` line ${line}`}: ${field === undefined ? '' : `${field}: `}${detail}`,
    );
  }
}

/** A JSON line of the workload: where it is and what it holds. */
export interface SourceLine {
  file: string;
  line: number;
  record: Record<string, unknown>;
}

/** Keys a JSON object may not have: `__proto__` would become an object's prototype once copied by assignment. */
const FORBIDDEN_KEYS = new Set(['__proto__']);

/** The path of the first forbidden key in a parsed JSON value (walked without recursion), or null. */
function forbiddenKeyPath(value: unknown): string | null {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        stack.push({ v: x, path: `${path}[${i}]` });
      });
    } else
      for (const k of Object.keys(v)) {
        const at = path === '' ? k : `${path}.${k}`;
        if (FORBIDDEN_KEYS.has(k)) return at;
        stack.push({ v: (v as Record<string, unknown>)[k], path: at });
      }
  }
  return null;
}

/**
 * The JSON lines of `workload` in `text` (a file of bench stdout): lines that do not start with `{` are
 * skipped (pnpm's banner, progress written with 2>&1), lines of other workloads too; a line that starts
 * with `{` and is not a JSON object naming its workload is an error.
 */
export function workloadLines(file: string, text: string, workload: string): SourceLine[] {
  const out: SourceLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (!t.startsWith('{')) return;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      throw new CombineInputError(file, line, undefined, `not JSON (cut short?): ${shown(t)}`);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw new CombineInputError(file, line, undefined, `not a JSON object: ${shown(t)}`);
    const bad = forbiddenKeyPath(v);
    if (bad !== null) throw new CombineInputError(file, line, bad, 'a forbidden key');
    const record = v as Record<string, unknown>;
    const name = own(record, 'workload');
    if (typeof name !== 'string' || name === '')
      throw new CombineInputError(file, line, 'workload', `expected a workload name, got ${shown(name)}`);
    if (name === workload) out.push({ file, line, record });
  });
  return out;
}

/** The own property `field` of `o` (never an inherited one such as `constructor`). */
export const own = (o: Record<string, unknown>, field: string) =>
  Object.hasOwn(o, field) ? o[field] : undefined;

export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
}

/** Where a value is read from, for errors. */
export interface At {
  file: string;
  line: number;
}

export const fail = (at: At, field: string, detail: string) =>
  new CombineInputError(at.file, at.line, field, detail);

export function nullableNumber(v: unknown, at: At, field: string): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw fail(at, field, `expected a finite number or null, got ${shown(v)}`);
  return v;
}

export function nullableBoolean(v: unknown, at: At, field: string): boolean | null {
  if (v === null || typeof v === 'boolean') return v;
  throw fail(at, field, `expected true, false or null, got ${shown(v)}`);
}

export function integer(v: unknown, at: At, field: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    throw fail(at, field, `expected an integer >= ${min}, got ${shown(v)}`);
  return v;
}

export function object(v: unknown, at: At, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw fail(at, field, `expected a JSON object, got ${shown(v)}`);
  return v as Record<string, unknown>;
}

export function array(v: unknown, at: At, field: string): unknown[] {
  if (!Array.isArray(v)) throw fail(at, field, `expected an array, got ${shown(v)}`);
  return v;
}

/** Where a line is, as errors name it. */
export const where = (at: At) => `${at.file} line ${at.line}`;

/** A finite number in [min, max] (null refused). */
export function number(v: unknown, at: At, field: string, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw fail(at, field, `expected a finite number in [${min}, ${max}], got ${shown(v)}`);
  return v;
}

/** A non-empty string. */
export function text(v: unknown, at: At, field: string): string {
  if (typeof v !== 'string' || v === '')
    throw fail(at, field, `expected a non-empty string, got ${shown(v)}`);
  return v;
}

/** The text of a file, as its lines are read: a missing, unreadable or oversized file is a CombineInputError. */
export interface CombineSource {
  file: string;
  text: string;
}

/** The files of --combine as text: each read once, bounded; a missing or unreadable one is named. */
export function readSources(files: readonly string[]): CombineSource[] {
  const seen = new Map<string, string>();
  return files.map((file) => {
    const first = seen.get(resolve(file));
    if (first !== undefined)
      throw new CombineInputError(file, undefined, undefined, `listed twice (as ${first} before)`);
    seen.set(resolve(file), file);
    try {
      return { file, text: readFileLimited(file, FILE_LIMITS.text).toString('utf8') };
    } catch (e) {
      throw new CombineInputError(file, undefined, undefined, `cannot read it: ${(e as Error).message}`);
    }
  });
}

/** The lines of `workload` in each source; a source without one is an error (not a run of it, or cut off). */
export function linesOfEach(workload: string, sources: readonly CombineSource[]): SourceLine[] {
  if (sources.length === 0) throw new CombineInputError('(none)', undefined, undefined, 'no file to combine');
  return sources.flatMap(({ file, text }) => {
    const found = workloadLines(file, text, workload);
    if (found.length === 0)
      throw new CombineInputError(
        file,
        undefined,
        undefined,
        `no ${workload} line (is it a ${workload} run's stdout?)`,
      );
    return found;
  });
}
