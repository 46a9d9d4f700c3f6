// The one parser of `lab`'s numeric options: a value is a plain decimal number (no hex, no empty
// string, no "Infinity"), an integer where one is asked for, inside the option's range; anything else
// is refused with the option's name and the range in the message. Commander shows the message as
// "error: option '--seed <n>' argument 'abc' is invalid. --seed must be an integer in [0, 4294967295]".
import { InvalidArgumentError } from 'commander';

export interface IntegerRange {
  /** Smallest value allowed (default 0). */
  min?: number;
  /** Largest value allowed (default Number.MAX_SAFE_INTEGER). */
  max?: number;
}

export interface NumberRange {
  min?: number;
  max?: number;
  /** The minimum itself is not allowed (e.g. a learning rate > 0). */
  minExclusive?: boolean;
  /** The maximum itself is not allowed (e.g. a decay < 1). */
  maxExclusive?: boolean;
}

// digits with an optional sign, fraction and exponent: what a person types for a number
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number a decimal text stands for, or undefined when it is not one (or not finite). */
function decimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : undefined;
}

function rangeText(r: NumberRange): string {
  const lo = r.min === undefined ? '(-inf' : `${r.minExclusive ? '(' : '['}${r.min}`;
  const hi = r.max === undefined ? 'inf)' : `${r.max}${r.maxExclusive ? ')' : ']'}`;
  return `${lo}, ${hi}`;
}

/** Parses an integer option's text; throws InvalidArgumentError naming the option. */
export function parseInteger(name: string, text: string, range: IntegerRange = {}): number {
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const n = decimal(text);
  if (n === undefined || !Number.isSafeInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got '${text}'`);
  return n;
}

/** Parses a number option's text; throws InvalidArgumentError naming the option. */
export function parseNumber(name: string, text: string, range: NumberRange = {}): number {
  const n = decimal(text);
  const below = range.min !== undefined && (range.minExclusive ? n! <= range.min : n! < range.min);
  const above = range.max !== undefined && (range.maxExclusive ? n! >= range.max : n! > range.max);
  if (n === undefined || below || above)
    throw new InvalidArgumentError(`${name} must be a number in ${rangeText(range)}, got '${text}'`);
  return n;
}

/** A commander option parser for an integer in a range. */
export function integer(name: string, range: IntegerRange = {}): (text: string) => number {
  return (text) => parseInteger(name, text, range);
}

/** A commander option parser for a number in a range. */
export function number(name: string, range: NumberRange = {}): (text: string) => number {
  return (text) => parseNumber(name, text, range);
}

/** A commander option parser for a comma-separated list of numbers, each in the range. */
export function numberList(
  name: string,
  range: NumberRange = {},
  { maxLength = 1000 }: { maxLength?: number } = {},
): (text: string) => number[] {
  return (text) => {
    const parts = text.split(',');
    if (text.trim() === '' || parts.length > maxLength)
      throw new InvalidArgumentError(`${name} must list 1 to ${maxLength} numbers, got '${text}'`);
    return parts.map((p) => parseNumber(name, p, range));
  };
}

/** A commander option parser for a comma-separated list of integers, each in the range. */
export function integerList(
  name: string,
  range: IntegerRange = {},
  { maxLength = 1000 }: { maxLength?: number } = {},
): (text: string) => number[] {
  return (text) => {
    const parts = text.split(',');
    if (text.trim() === '' || parts.length > maxLength)
      throw new InvalidArgumentError(`${name} must list 1 to ${maxLength} integers, got '${text}'`);
    return parts.map((p) => parseInteger(name, p, range));
  };
}

/** Limits of `lab`'s numeric options (documented in the README's "Limits" section). */
export const LIMITS = {
  /** Rng keeps a 32-bit state; a seed is that state. */
  seed: { min: 0, max: 2 ** 32 - 1 },
  steps: { min: 1, max: 10_000_000 },
  epochs: { min: 1, max: 10_000 },
  batchSize: { min: 1, max: 65_536 },
  /** DCGAN base width: 64 is the W1 benchmark net; 1024 makes a 4096-channel first layer. */
  width: { min: 1, max: 1024 },
  latent: { min: 1, max: 10_000 },
  innerSteps: { min: 1, max: 1000 },
  every: { min: 1, max: 10_000_000 },
  /** Samples in one PNG grid. */
  gridCount: { min: 1, max: 10_000 },
  /** Samples drawn for FD/KID. */
  evalCount: { min: 1, max: 100_000 },
  examples: { min: 1, max: 2 ** 31 - 1 },
  pgdSteps: { min: 1, max: 10_000 },
} as const;
