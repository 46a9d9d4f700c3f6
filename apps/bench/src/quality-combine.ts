// `--combine FILE,...` for gan-quality and wgan-quality: the line of a multi-seed run from the lines
// that separate runs printed (one seed per process, so a five-hour benchmark survives an interrupted
// session). Each run is rebuilt field by field from its checked line (combine-input.ts) and the line
// over them comes from quality-aggregate.ts, as a `--seeds N` run's does.
import {
  type At,
  array,
  type CombineSource,
  fail,
  integer,
  linesOfEach,
  nullableBoolean,
  nullableNumber,
  object,
  own,
  readSources,
  type SourceLine,
  shown,
  where,
} from './combine-input.js';
import {
  type GanPoint,
  type GanRun,
  ganQualityLine,
  seedCurves,
  type WganPoint,
  type WganRun,
  wganQualityLine,
} from './quality-aggregate.js';
import { checkPlotPath, type PlotFields, plotFdCurves } from './quality-plot.js';

/** The quality workloads whose lines combine into a multi-seed line. */
export type QualityWorkload = 'gan-quality' | 'wgan-quality';

/** A field of a run or checkpoint as the workload prints it. */
type Kind = 'seed' | 'step' | 'number' | 'boolean' | 'points';

/** What a workload's run holds, field by field, in the order its runs are printed. */
interface RunSpec<Run, Point> {
  run: Record<keyof Run, Kind>;
  point: Record<keyof Point, Kind>;
}

const GAN_SPEC: RunSpec<GanRun, GanPoint> = {
  run: {
    seed: 'seed',
    ours_fd: 'number',
    peer_fd: 'number',
    ours_kid: 'number',
    peer_kid: 'number',
    ours_spread: 'number',
    peer_spread: 'number',
    ours_collapsed: 'boolean',
    peer_collapsed: 'boolean',
    ring_modes: 'number',
    ring_high_quality: 'number',
    ours_ms_per_iter: 'number',
    peer_ms_per_iter: 'number',
    ours_checkpoint_s: 'number',
    peer_checkpoint_s: 'number',
    checkpoints: 'points',
    peer_checkpoints: 'points',
  },
  point: { step: 'step', fd: 'number', kid: 'number', spread: 'number' },
};

const WGAN_SPEC: RunSpec<WganRun, WganPoint> = {
  run: {
    seed: 'seed',
    ours_fd: 'number',
    peer_fd: 'number',
    ours_spread: 'number',
    peer_spread: 'number',
    ours_collapsed: 'boolean',
    peer_collapsed: 'boolean',
    spearman_rho: 'number',
    peer_spearman_rho: 'number',
    ours_ms_per_iter: 'number',
    peer_ms_per_iter: 'number',
    ours_checkpoint_s: 'number',
    peer_checkpoint_s: 'number',
    checkpoints: 'points',
    peer_checkpoints: 'points',
  },
  point: { step: 'step', w: 'number', fd: 'number', spread: 'number' },
};

/**
 * A record rebuilt from `o` field by field in the spec's order (so a run prints as it was printed):
 * every field present, of its kind; fields the spec does not name are left out.
 */
function rebuild(
  o: Record<string, unknown>,
  spec: Record<string, Kind>,
  point: Record<string, Kind>,
  at: At,
  path: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(spec)) {
    const field = `${path}.${name}`;
    if (!Object.hasOwn(o, name)) throw fail(at, field, 'missing');
    const v = o[name];
    if (kind === 'seed') out[name] = integer(v, at, field, 0);
    else if (kind === 'step') out[name] = integer(v, at, field, 1);
    else if (kind === 'number') out[name] = nullableNumber(v, at, field);
    else if (kind === 'boolean') out[name] = nullableBoolean(v, at, field);
    else out[name] = curve(v, point, at, field);
  }
  return out;
}

/** A checkpoint curve: objects of the point spec, their steps increasing. */
function curve(v: unknown, point: Record<string, Kind>, at: At, field: string): Record<string, unknown>[] {
  const points = array(v, at, field).map((p, i) =>
    rebuild(object(p, at, `${field}[${i}]`), point, {}, at, `${field}[${i}]`),
  );
  points.forEach((p, i) => {
    if (i > 0 && (p.step as number) <= (points[i - 1]!.step as number))
      throw fail(
        at,
        `${field}[${i}].step`,
        `steps must increase, got ${p.step} after ${points[i - 1]!.step}`,
      );
  });
  return points;
}

/** One line's runs and what they must share with every other line's to be combined. */
interface ParsedLine<Run> {
  at: At;
  iterations: number;
  /** wgan-quality's base width (gan-quality's nets have one width). */
  width: number | null;
  runs: Run[];
}

function parseLine<Run extends GanRun | WganRun>(
  source: SourceLine,
  spec: RunSpec<Run, unknown>,
  hasWidth: boolean,
): ParsedLine<Run> {
  const at = { file: source.file, line: source.line };
  const o = source.record;
  const iterations = integer(own(o, 'iterations'), at, 'iterations', 1);
  const width = hasWidth ? integer(own(o, 'width'), at, 'width', 1) : null;
  const rawRuns = array(own(o, 'runs'), at, 'runs');
  if (rawRuns.length === 0) throw fail(at, 'runs', 'no run');
  const runs = rawRuns.map(
    (x, i) =>
      rebuild(
        object(x, at, `runs[${i}]`),
        spec.run as Record<string, Kind>,
        spec.point as Record<string, Kind>,
        at,
        `runs[${i}]`,
      ) as Run,
  );
  runs.forEach((x, i) => {
    for (const name of ['checkpoints', 'peer_checkpoints'] as const) {
      const last = x[name].length - 1;
      if (last >= 0 && x[name][last]!.step > iterations)
        throw fail(
          at,
          `runs[${i}].${name}[${last}].step`,
          `${x[name][last]!.step} is past the ${iterations} iterations`,
        );
    }
  });
  // a line's seeds are its runs' (a mismatch means the line was edited or mixed up)
  const seeds = array(own(o, 'seeds'), at, 'seeds');
  const expected = runs.map((x) => x.seed);
  if (seeds.length !== expected.length || seeds.some((s, i) => s !== expected[i]))
    throw fail(at, 'seeds', `${shown(seeds)} are not its runs' seeds ${shown(expected)}`);
  return { at, iterations, width, runs };
}

const stepsOf = (points: readonly { step: number }[]) => points.map((p) => p.step).join(', ');

/**
 * Checks that every line's runs can be combined with the first line's first run (same iterations,
 * width and checkpoint steps; the peer's steps, when it ran, are ours) and that no seed comes twice.
 */
function checkCombinable<Run extends GanRun | WganRun>(lines: readonly ParsedLine<Run>[]): void {
  const ref = lines[0]!;
  const refSteps = stepsOf(ref.runs[0]!.checkpoints);
  const seen = new Map<number, At>();
  for (const l of lines) {
    if (l.iterations !== ref.iterations)
      throw fail(
        l.at,
        'iterations',
        `${l.iterations}, but ${where(ref.at)} has ${ref.iterations}: runs of different lengths cannot be combined`,
      );
    if (l.width !== ref.width)
      throw fail(
        l.at,
        'width',
        `${l.width}, but ${where(ref.at)} has ${ref.width}: runs of different nets cannot be combined`,
      );
    l.runs.forEach((x, i) => {
      const ours = stepsOf(x.checkpoints);
      if (ours !== refSteps)
        throw fail(
          l.at,
          `runs[${i}].checkpoints`,
          `steps [${ours}], but ${where(ref.at)} has [${refSteps}] (another --checkpoints): they cannot be combined`,
        );
      const peer = stepsOf(x.peer_checkpoints);
      if (peer !== '' && peer !== refSteps)
        throw fail(l.at, `runs[${i}].peer_checkpoints`, `steps [${peer}], but ours are [${refSteps}]`);
      const first = seen.get(x.seed);
      if (first !== undefined)
        throw fail(
          l.at,
          `runs[${i}].seed`,
          `seed ${x.seed} is also in ${where(first)}: each seed can be combined once`,
        );
      seen.set(x.seed, l.at);
    });
  }
}

/** What combining found: the runs in seed order and what they share. */
export interface Combined<Run> {
  iterations: number;
  width: number | null;
  runs: Run[];
}

function combineRuns<Run extends GanRun | WganRun>(
  workload: QualityWorkload,
  sources: readonly CombineSource[],
  spec: RunSpec<Run, unknown>,
): Combined<Run> {
  const lines = linesOfEach(workload, sources).map((l) => parseLine(l, spec, workload === 'wgan-quality'));
  checkCombinable(lines);
  const runs = lines.flatMap((l) => l.runs).sort((a, b) => a.seed - b.seed);
  return { iterations: lines[0]!.iterations, width: lines[0]!.width, runs };
}

/** gan-quality's runs in `sources`, checked and in seed order. */
export function combineGanRuns(sources: readonly CombineSource[]): Combined<GanRun> {
  return combineRuns('gan-quality', sources, GAN_SPEC);
}

/** wgan-quality's runs in `sources`, checked and in seed order. */
export function combineWganRuns(sources: readonly CombineSource[]): Combined<WganRun> {
  return combineRuns('wgan-quality', sources, WGAN_SPEC);
}

/** The workload's line over the runs of `sources`, as a `--seeds N` run over the same runs prints it. */
export function combinedLine(
  workload: QualityWorkload,
  sources: readonly CombineSource[],
  plot: (runs: readonly (GanRun | WganRun)[]) => PlotFields = () => ({ plot: null }),
): Record<string, unknown> {
  if (workload === 'gan-quality') {
    const c = combineGanRuns(sources);
    return ganQualityLine(c.iterations, c.runs, plot(c.runs));
  }
  const c = combineWganRuns(sources);
  return wganQualityLine(c.iterations, c.width!, c.runs, plot(c.runs));
}

export interface QualityCombineOptions {
  files: readonly string[];
  /** The PNG of the combined runs' FD curves, as --plot. */
  plot?: string;
  quiet?: boolean;
}

/** `bench WORKLOAD --combine FILES [--plot F]`: the combined line, with the plot written as a run writes it. */
export function combineQuality(workload: QualityWorkload, o: QualityCombineOptions): Record<string, unknown> {
  if (o.plot) checkPlotPath(o.plot);
  const sources = readSources(o.files);
  return combinedLine(workload, sources, (runs) => plotFdCurves(workload, seedCurves(runs), o));
}
