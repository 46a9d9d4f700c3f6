// Parsers of `pnpm bench`'s numeric options: a value that is not what the option takes is an error
// naming the option, never a NaN or a silently rounded number.
import { InvalidArgumentError } from 'commander';

/** A parser of an integer option in [min, max]. */
export function integerOption(name: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  return (text: string): number => {
    const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} takes an integer in [${min}, ${max}], got '${text}'`);
    return n;
  };
}

/** A parser of a rate option in [0, 1) (a dropout probability). */
export function rateOption(name: string) {
  return (text: string): number => {
    const n = /^\s*(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`${name} takes a number in [0, 1), got '${text}'`);
    return n;
  };
}

/** The most threads a sweep may ask for (far above any machine this runs on). */
export const MAX_THREADS = 256;

/** A parser of a comma-separated list of thread counts (duplicates dropped, order kept). */
export function threadListOption(name: string) {
  const one = integerOption(name, { min: 1, max: MAX_THREADS });
  return (text: string): number[] => {
    const counts = text.split(',').map((part) => one(part));
    return [...new Set(counts)];
  };
}

/** The default sweep: one thread, then every core (just one thread on a one-core machine). */
export function defaultThreads(cores: number): number[] {
  const n = Math.min(MAX_THREADS, Math.max(1, Math.floor(cores)));
  return n > 1 ? [1, n] : [1];
}

/**
 * A parser of a repeatable option of comma-separated file names: each use adds its names, so
 * `--combine a,b` and `--combine a --combine b` give the same list.
 */
export function fileListOption(name: string) {
  return (text: string, previous: string[] | undefined): string[] => {
    const files = text.split(',').map((f) => f.trim());
    if (files.some((f) => f === ''))
      throw new InvalidArgumentError(`${name} takes file names separated by commas, got '${text}'`);
    return [...(previous ?? []), ...files];
  };
}
