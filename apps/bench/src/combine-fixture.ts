// Test fixtures for --combine: runs of gan-quality and wgan-quality with deterministic figures, and
// the stdout a bench run prints (pnpm's banner, then its JSON line).
import type { CombineSource } from './combine-input.js';
import type { GanPoint, GanRun, WganPoint, WganRun } from './quality-aggregate.js';
import type { PlotFields } from './quality-plot.js';

export const BANNER = '\n> lab-monorepo@ bench /work/x\n> node scripts/bench.mjs gan-quality --seed 0\n\n';
export const NO_PLOT: PlotFields = { plot: null };

/** Deterministic pseudo-random figures in [lo, hi) with 3 decimals (an LCG warmed up past its first draws). */
export function figures(seed: number) {
  let s = (Math.imul(seed + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < 8; i++) next();
  return (lo: number, hi: number, digits = 3) => Number((lo + (hi - lo) * next()).toFixed(digits));
}

/** A gan-quality run as ganQualityRun prints it; the peer absent when `peer` is false. */
export function ganRun(seed: number, steps: number[], peer = true): GanRun {
  const f = figures(seed);
  const points = (): GanPoint[] =>
    steps.map((step) => ({ step, fd: f(20, 400), kid: f(0, 0.3, 5), spread: f(0.02, 0.9) }));
  const spread = f(0.05, 0.9);
  const peerSpread = peer ? f(0.05, 0.9) : null;
  return {
    seed,
    ours_fd: f(30, 300),
    peer_fd: peer ? f(30, 300) : null,
    ours_kid: f(0, 0.3, 5),
    peer_kid: peer ? f(0, 0.3, 5) : null,
    ours_spread: spread,
    peer_spread: peerSpread,
    ours_collapsed: spread < 0.15,
    peer_collapsed: peerSpread === null ? null : peerSpread < 0.15,
    ring_modes: Math.floor(f(5, 9)),
    ring_high_quality: f(0.5, 1),
    ours_ms_per_iter: f(500, 2000, 0),
    peer_ms_per_iter: peer ? f(300, 900, 0) : null,
    ours_checkpoint_s: f(10, 60, 1),
    peer_checkpoint_s: peer ? f(10, 60, 1) : null,
    checkpoints: points(),
    peer_checkpoints: peer ? points() : [],
  };
}

export function wganRun(seed: number, steps: number[], peer = true): WganRun {
  const f = figures(seed + 1000);
  const points = (): WganPoint[] =>
    steps.map((step) => ({ step, w: f(1, 15, 4), fd: f(80, 400), spread: f(0.02, 0.6) }));
  return {
    seed,
    ours_fd: f(80, 150),
    peer_fd: peer ? f(80, 150) : null,
    ours_spread: 0.4,
    peer_spread: peer ? 0.45 : null,
    ours_collapsed: false,
    peer_collapsed: peer ? false : null,
    spearman_rho: f(0.5, 1),
    peer_spearman_rho: peer ? f(0.5, 1) : null,
    ours_ms_per_iter: f(900, 1300, 0),
    peer_ms_per_iter: peer ? f(500, 700, 0) : null,
    ours_checkpoint_s: f(10, 30, 1),
    peer_checkpoint_s: peer ? f(10, 30, 1) : null,
    checkpoints: points(),
    peer_checkpoints: peer ? points() : [],
  };
}

/** The stdout a run prints: pnpm's banner, then the line. */
export const stdout = (line: Record<string, unknown>, banner = BANNER) =>
  `${banner}${JSON.stringify(line)}\n`;
export const source = (file: string, text: string): CombineSource => ({ file, text });
