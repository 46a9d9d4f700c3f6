// Readers for the fields of a JSON config from a file (hostile input): each returns the field's
// value or throws a ModelFileError that names the field, before anything is built from the config.
import { ModelFileError } from './model-file-error.js';

/** The config itself: a plain JSON object. */
export function configObject(raw: unknown, where = 'config'): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ModelFileError(where, `must be a JSON object, got ${describe(raw)}`);
  return raw as Record<string, unknown>;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

export interface IntegerFieldOptions {
  min?: number;
  max?: number;
  /** The value when the field is absent; without it the field is required. */
  default?: number;
}

/** A whole number in [min, max]. */
export function integerField(
  config: Record<string, unknown>,
  key: string,
  {
    min = Number.MIN_SAFE_INTEGER,
    max = Number.MAX_SAFE_INTEGER,
    default: fallback,
  }: IntegerFieldOptions = {},
  where = 'config',
): number {
  const v = config[key];
  const field = `${where}.${key}`;
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new ModelFileError(field, `must be a whole number, got ${describe(v)}`);
  if (v < min || v > max) throw new ModelFileError(field, `must be in [${min}, ${max}], got ${v}`);
  return v;
}

/** A finite number in [min, max]. */
export function numberField(
  config: Record<string, unknown>,
  key: string,
  { min = -Number.MAX_VALUE, max = Number.MAX_VALUE, default: fallback }: IntegerFieldOptions = {},
  where = 'config',
): number {
  const v = config[key];
  const field = `${where}.${key}`;
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ModelFileError(field, `must be a finite number, got ${describe(v)}`);
  if (v < min || v > max) throw new ModelFileError(field, `must be in [${min}, ${max}], got ${v}`);
  return v;
}

/** One of a fixed set of strings. */
export function choiceField<T extends string>(
  config: Record<string, unknown>,
  key: string,
  choices: readonly T[],
  { default: fallback }: { default?: T } = {},
  where = 'config',
): T {
  const v = config[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || !choices.includes(v as T))
    throw new ModelFileError(`${where}.${key}`, `must be one of ${choices.join(', ')}, got ${describe(v)}`);
  return v as T;
}
