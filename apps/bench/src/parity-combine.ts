// `--combine FILE,...` for gan-parity: the lines of separate runs (one seed each, `--iters 30 --seed S`,
// minutes apiece) as one line per compared step with the mean and spread over the runs of both sides'
// update error and of their ratio, the figure issue 27's "within 1.2x of PyTorch float32" is about.
import {
  type At,
  type CombineSource,
  fail,
  integer,
  linesOfEach,
  number,
  object,
  own,
  type SourceLine,
  shown,
  text,
  where,
} from './combine-input.js';
import { summarize } from './seeds.js';

/** One run's figures at one compared step, and where they were read. */
export type ParityRun = {
  /** The file and line, e.g. `parity-s1.out line 5` (gan-parity's lines do not name their seed). */
  source: string;
  /** The seed, when the line names it. */
  seed: number | null;
  ours_update_rel_err: number;
  torch32_update_rel_err: number;
  /** ours / torch32 (null when PyTorch float32's error is 0). */
  update_err_ratio: number | null;
  ours_loss_max_diff: number;
  torch32_loss_max_diff: number;
  worst_tensor: { name: string; ours: number; torch32: number };
};

/** The figures averaged over the runs, with their decimals (the lines print 3 significant digits). */
const PARITY_METRICS = {
  ours_update_rel_err: 4,
  torch32_update_rel_err: 4,
  update_err_ratio: 3,
  ours_loss_max_diff: 4,
  torch32_loss_max_diff: 4,
};

interface ParityLine {
  at: At;
  steps: number;
  width: number;
  dropout: number;
  run: ParityRun;
}

function parseParityLine(source: SourceLine): ParityLine {
  const at = { file: source.file, line: source.line };
  const o = source.record;
  if (own(o, 'error') !== undefined) throw fail(at, 'error', `the run failed: ${shown(own(o, 'error'))}`);
  const figure = (name: string) => number(own(o, name), at, name, 0);
  const w = object(own(o, 'worst_tensor'), at, 'worst_tensor');
  const ours = figure('ours_update_rel_err');
  const torch32 = figure('torch32_update_rel_err');
  return {
    at,
    steps: integer(own(o, 'steps'), at, 'steps', 1),
    width: integer(own(o, 'width'), at, 'width', 1),
    dropout: number(own(o, 'dropout'), at, 'dropout', 0, 1),
    run: {
      source: where(at),
      seed: own(o, 'seed') === undefined ? null : integer(own(o, 'seed'), at, 'seed', 0),
      ours_update_rel_err: ours,
      torch32_update_rel_err: torch32,
      update_err_ratio: torch32 > 0 ? Number((ours / torch32).toFixed(3)) : null,
      ours_loss_max_diff: figure('ours_loss_max_diff'),
      torch32_loss_max_diff: figure('torch32_loss_max_diff'),
      worst_tensor: {
        name: text(own(w, 'name'), at, 'worst_tensor.name'),
        ours: number(own(w, 'ours'), at, 'worst_tensor.ours', 0),
        torch32: number(own(w, 'torch32'), at, 'worst_tensor.torch32', 0),
      },
    },
  };
}

/** The figures of a run without its source: two runs with the same ones are one run read twice. */
const figuresOf = ({ source: _, ...figures }: ParityRun) => JSON.stringify(figures);

/**
 * Checks that every line has the first line's nets and dropout, and that no run comes twice at a step:
 * the same seed where the lines name it, else the same figures (a seed's run is deterministic, so a
 * seed run twice prints the same line, and two seeds never do).
 */
function checkParityLines(lines: readonly ParityLine[]): void {
  const ref = lines[0]!;
  lines.forEach((l, i) => {
    for (const key of ['width', 'dropout'] as const)
      if (l[key] !== ref[key])
        throw fail(
          l.at,
          key,
          `${l[key]}, but ${where(ref.at)} has ${ref[key]}: runs of other nets cannot be combined`,
        );
    for (const earlier of lines.slice(0, i)) {
      if (earlier.steps !== l.steps) continue;
      const a = earlier.run;
      const b = l.run;
      if (a.seed !== null && b.seed !== null) {
        if (a.seed === b.seed)
          throw fail(
            l.at,
            'seed',
            `seed ${b.seed} at step ${l.steps} is also in ${a.source}: each seed can be combined once`,
          );
      } else if (figuresOf(a) === figuresOf(b))
        throw fail(
          l.at,
          'ours_update_rel_err',
          `the same figures as ${a.source}: the same run (seed) twice?`,
        );
    }
  });
}

/** gan-parity's lines over the runs of `sources`: one per compared step, in step order. */
export function combineParity(sources: readonly CombineSource[]): Record<string, unknown>[] {
  const lines = linesOfEach('gan-parity', sources).map(parseParityLine);
  checkParityLines(lines);
  const steps = [...new Set(lines.map((l) => l.steps))].sort((a, b) => a - b);
  const { width, dropout } = lines[0]!;
  return steps.map((step) => {
    const runs = lines.filter((l) => l.steps === step).map((l) => l.run);
    const { means, spread } = summarize(runs, PARITY_METRICS);
    const mean = (k: 'ours_update_rel_err' | 'torch32_update_rel_err') =>
      runs.reduce((a, r) => a + r[k], 0) / runs.length;
    const torch32 = mean('torch32_update_rel_err');
    return {
      workload: 'gan-parity',
      steps: step,
      width,
      dropout,
      ...means,
      // the mean error's ratio, beside the mean of the runs' ratios (update_err_ratio)
      update_err_ratio_of_means:
        torch32 > 0 ? Number((mean('ours_update_rel_err') / torch32).toFixed(3)) : null,
      combined_runs: runs.length,
      spread,
      runs,
    };
  });
}
