// `pnpm bench WORKLOAD --combine FILE,...`: no training; the lines that earlier runs of the workload
// printed (one seed per process) combined into the line(s) over all their runs.
import { readSources } from './combine-input.js';
import { combineParity } from './parity-combine.js';
import { combineQuality } from './quality-combine.js';

/** The workloads whose lines --combine reads. */
export const COMBINABLE = ['gan-quality', 'wgan-quality', 'gan-parity'] as const;
export type CombinableWorkload = (typeof COMBINABLE)[number];

/** The options that choose what to train, which a combination of finished runs must not be given. */
export const TRAINING_OPTIONS = ['iters', 'seed', 'seeds', 'checkpoints', 'width', 'dropout'] as const;

/**
 * Checks a --combine command line before any file is read: only combinable workloads, none of the
 * training options (they would be ignored: each run's own settings are in its line; `given` lists the
 * options the command line set), and --plot only for the quality workloads.
 */
export function checkCombineCommand(
  workloads: readonly string[],
  given: readonly string[],
  plot?: string,
): asserts workloads is CombinableWorkload[] {
  for (const w of workloads)
    if (!(COMBINABLE as readonly string[]).includes(w))
      throw new Error(`--combine reads ${COMBINABLE.join(', ')} lines, not ${w}`);
  for (const name of TRAINING_OPTIONS)
    if (given.includes(name))
      throw new Error(
        `--combine reads finished runs: --${name} does not apply (each run's own is in its line)`,
      );
  if (plot && workloads.includes('gan-parity')) throw new Error('--plot draws FD curves: not for gan-parity');
}

export interface CombineOptions {
  files: readonly string[];
  /** gan-quality, wgan-quality: the PNG of the combined runs' FD curves, as --plot. */
  plot?: string;
  quiet?: boolean;
}

/** The combined JSON line(s) of `workload` (gan-parity: one per compared step). */
export function combineFiles(workload: CombinableWorkload, o: CombineOptions): Record<string, unknown>[] {
  if (workload === 'gan-parity') return combineParity(readSources(o.files));
  return [combineQuality(workload, o)];
}
