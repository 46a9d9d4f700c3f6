// The quality benchmarks' plot: each seed's FD curve on both sides (ours solid, the PyTorch peer's
// dashed, one colour per seed), drawn by @lab/finetune's line chart and written where --plot says.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CHART_COLOURS, type ChartSeries, lineChartPng } from '@lab/finetune';
import { InvalidArgumentError } from 'commander';

export interface SeedCurves {
  seed: number;
  ours: readonly { step: number; fd: number | null }[];
  peer: readonly { step: number; fd: number | null }[];
}

function line(name: string, curve: SeedCurves['ours'], colour: ChartSeries['colour'], dashed: boolean) {
  const points = curve.filter(
    (p): p is { step: number; fd: number } => p.fd !== null && Number.isFinite(p.fd),
  );
  return { name, x: points.map((p) => p.step), y: points.map((p) => p.fd), colour, dashed };
}

/** The chart's series: per seed ours, then the peer's where it has points. */
export function fdCurveSeries(runs: readonly SeedCurves[]): ChartSeries[] {
  return runs.flatMap((r, k) => {
    const colour = CHART_COLOURS[k % CHART_COLOURS.length];
    return [
      line(`ours s${r.seed}`, r.ours, colour, false),
      line(`torch s${r.seed}`, r.peer, colour, true),
    ].filter((s) => s.x.length > 0);
  });
}

/** The PNG of both sides' FD curves per seed; null when no run has a finite FD to draw. */
export function fdCurvesPng(workload: string, runs: readonly SeedCurves[]): Uint8Array | null {
  const series = fdCurveSeries(runs);
  if (series.length === 0) return null;
  const steps = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  return lineChartPng(series, {
    title: `${workload}: fd per seed - solid ours - dashed pytorch - lower is better`,
    xLabel: 'training iteration',
    yLabel: 'fd',
    // every checkpoint labelled when there are few, else the chart's five even ticks
    ...(steps.length <= 10 ? { xTicks: steps.map((s) => ({ value: s, label: String(s) })) } : {}),
    width: 760,
    height: 440,
  });
}

/** The parser of --plot: a .png file name, refused as the command line is read. */
export function plotFileOption(text: string): string {
  if (!/\.png$/i.test(text)) throw new InvalidArgumentError(`--plot ${text}: expected a .png file name`);
  return text;
}

/**
 * Checks before training that the plot can be written where --plot says (a PNG file name, its folder
 * creatable and writable), so that hours of training do not end in a write error.
 */
export function checkPlotPath(path: string): void {
  if (!/\.png$/i.test(path)) throw new Error(`--plot ${path}: expected a .png file name`);
  const probe = `${path}.probe-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(probe, '');
  } catch (e) {
    throw new Error(`--plot ${path}: cannot write there (${(e as Error).message})`);
  }
  rmSync(probe, { force: true });
}

/** Writes the PNG through a temporary name (a reader never sees half a file); errors name the file. */
export function writePlot(path: string, png: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, png);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the folder itself is what failed: there is no temporary file to remove
    }
    throw new Error(`--plot ${path}: cannot write the plot (${(e as Error).message})`);
  }
}

/** The line's plot fields: the file written (null: none asked for, or nothing to draw) and a failed write. */
export type PlotFields = { plot: string | null; plot_error?: string };

/**
 * Writes the FD curves' PNG to o.plot; a write that fails is reported in `plot_error` rather than
 * thrown, so the run's figures are still printed (the CLI then exits non-zero).
 */
export function plotFdCurves(
  workload: string,
  curves: readonly SeedCurves[],
  o: { plot?: string; quiet?: boolean },
): PlotFields {
  if (!o.plot) return { plot: null };
  const png = fdCurvesPng(workload, curves);
  if (!png) {
    if (!o.quiet) process.stderr.write(`${workload}: no FD curve to plot\n`);
    return { plot: null };
  }
  try {
    writePlot(o.plot, png);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return { plot: null, plot_error: (e as Error).message };
  }
  if (!o.quiet) process.stderr.write(`${workload}: plot in ${o.plot}\n`);
  return { plot: o.plot };
}
