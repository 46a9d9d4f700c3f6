// The JSON line of a quality benchmark as a pure function of its runs (one record per seed): a
// `--seeds N` run and `--combine` (runs printed by earlier processes, quality-combine.ts) both print
// exactly this, so combining separately run seeds gives the figures of one multi-seed run.
import { COLLAPSE_RULE, collapseCount } from './quality-collapse.js';
import type { PlotFields, SeedCurves } from './quality-plot.js';
import { fdPairs, meanCurve, spreadByStep, summarize } from './seeds.js';

/** A checkpoint of gan-quality: FD, KID and the collapse rule's number of 10k samples at a step. */
export type GanPoint = { step: number; fd: number | null; kid: number | null; spread: number | null };

/** One seed of gan-quality (null: not measured, e.g. the peer's figures without torch, or a NaN). */
export type GanRun = {
  seed: number;
  ours_fd: number | null;
  peer_fd: number | null;
  ours_kid: number | null;
  peer_kid: number | null;
  ours_spread: number | null;
  peer_spread: number | null;
  ours_collapsed: boolean | null;
  peer_collapsed: boolean | null;
  ring_modes: number | null;
  ring_high_quality: number | null;
  ours_ms_per_iter: number | null;
  peer_ms_per_iter: number | null;
  ours_checkpoint_s: number | null;
  peer_checkpoint_s: number | null;
  checkpoints: GanPoint[];
  peer_checkpoints: GanPoint[];
};

/** A checkpoint of wgan-quality: the critic's W estimate, FD and spread of 2k samples at a step. */
export type WganPoint = { step: number; w: number | null; fd: number | null; spread: number | null };

/** One seed of wgan-quality. */
export type WganRun = {
  seed: number;
  ours_fd: number | null;
  peer_fd: number | null;
  ours_spread: number | null;
  peer_spread: number | null;
  ours_collapsed: boolean | null;
  peer_collapsed: boolean | null;
  spearman_rho: number | null;
  peer_spearman_rho: number | null;
  ours_ms_per_iter: number | null;
  peer_ms_per_iter: number | null;
  ours_checkpoint_s: number | null;
  peer_checkpoint_s: number | null;
  checkpoints: WganPoint[];
  peer_checkpoints: WganPoint[];
};

/** The figures of gan-quality that are averaged over the seeds, with their decimals. */
export const GAN_METRICS = {
  ours_fd: 3,
  peer_fd: 3,
  ours_kid: 5,
  peer_kid: 5,
  ours_spread: 3,
  peer_spread: 3,
  ring_modes: 2,
  ring_high_quality: 3,
  ours_ms_per_iter: 0,
  peer_ms_per_iter: 0,
  ours_checkpoint_s: 1,
  peer_checkpoint_s: 1,
};

/** The figures of wgan-quality that are averaged over the seeds, with their decimals. */
export const WGAN_METRICS = {
  ours_fd: 3,
  peer_fd: 3,
  ours_spread: 3,
  peer_spread: 3,
  spearman_rho: 3,
  peer_spearman_rho: 3,
  ours_ms_per_iter: 0,
  peer_ms_per_iter: 0,
  ours_checkpoint_s: 1,
  peer_checkpoint_s: 1,
};

/** Each run's FD curves per side, as the plot and the curve fields take them. */
export function seedCurves(runs: readonly (GanRun | WganRun)[]): SeedCurves[] {
  return runs.map((x) => ({ seed: x.seed, ours: x.checkpoints, peer: x.peer_checkpoints }));
}

/** gan-quality's JSON line over `runs` (in the order given: seed order), with the plot's fields. */
export function ganQualityLine(
  iterations: number,
  runs: readonly GanRun[],
  plot: PlotFields,
): Record<string, unknown> {
  const { means, spread } = summarize(runs, GAN_METRICS);
  return {
    workload: 'gan-quality',
    iterations,
    ...means,
    ...collapseFields(runs),
    ...curveFields(seedCurves(runs)),
    ...plot,
    samples: 10000,
    evaluator: 'shipped @lab/gan Fashion-MNIST evaluator (64-d features), real = 10k test images',
    seeds: runs.map((x) => x.seed),
    spread,
    runs,
  };
}

/** wgan-quality's JSON line over `runs` (in the order given: seed order), with the plot's fields. */
export function wganQualityLine(
  iterations: number,
  width: number,
  runs: readonly WganRun[],
  plot: PlotFields,
): Record<string, unknown> {
  const { means, spread } = summarize(runs, WGAN_METRICS);
  return {
    workload: 'wgan-quality',
    iterations,
    ...means,
    width,
    ...collapseFields(runs),
    ...curveFields(seedCurves(runs)),
    // the mean curves over the seeds; each seed's own curve is in its run
    checkpoints: meanCurve(runs.map((x) => x.checkpoints)),
    peer_checkpoints: meanCurve(runs.map((x) => x.peer_checkpoints)),
    ...plot,
    seeds: runs.map((x) => x.seed),
    spread,
    runs,
  };
}

type SpreadPoint = { spread: number | null };

/**
 * Each side's count of seeds collapsed at the end of training, of seeds collapsed at the end or at any
 * checkpoint (a run can collapse and recover), and the rule that decided it.
 */
export function collapseFields(
  runs: readonly {
    ours_spread: number | null;
    peer_spread: number | null;
    checkpoints: readonly SpreadPoint[];
    peer_checkpoints: readonly SpreadPoint[];
  }[],
): Record<string, unknown> {
  // the least spread of a run, at the end or at a checkpoint (null when the side did not run)
  const least = (end: number | null, points: readonly SpreadPoint[]) =>
    end === null ? null : Math.min(end, ...points.flatMap((p) => (p.spread === null ? [] : [p.spread])));
  return {
    ours_collapses: collapseCount(runs.map((x) => x.ours_spread)),
    peer_collapses: collapseCount(runs.map((x) => x.peer_spread)),
    ours_collapses_any_checkpoint: collapseCount(runs.map((x) => least(x.ours_spread, x.checkpoints))),
    peer_collapses_any_checkpoint: collapseCount(runs.map((x) => least(x.peer_spread, x.peer_checkpoints))),
    collapse_rule: COLLAPSE_RULE,
  };
}

/** Each seed's FD curve per side as [step, fd] pairs, and the FD's mean and spread per checkpoint. */
export function curveFields(curves: readonly SeedCurves[]): Record<string, unknown> {
  return {
    ours_fd_curves: curves.map((c) => fdPairs(c.ours)),
    peer_fd_curves: curves.map((c) => fdPairs(c.peer)),
    ours_fd_by_step: spreadByStep(curves.map((c) => c.ours)),
    peer_fd_by_step: spreadByStep(curves.map((c) => c.peer)),
  };
}
