// Sensitivity analysis (Han et al. 2015, figure 5; Distiller's sensitivity analysis): prune one
// layer at a time to each sparsity, with every other layer intact, and record the accuracy. Each
// probe restores the layer's weights exactly before the next.
import type { Module } from '@lab/core';
import { tensor, type Variable } from '@tensorflow/tfjs-core';
import { sparsityMask } from '../prune/magnitude.js';
import { type ParamFilter, prunableWeights } from '../prune/weights.js';

export interface SensitivityOptions {
  /** Accuracy (or any score, higher is better) of the model as it is now. */
  evaluate: () => number | Promise<number>;
  /** Sparsities to probe. Default 0, 0.05, ..., 0.95. */
  sparsities?: ReadonlyArray<number>;
  /** Which weights to probe (default: prunableWeights). */
  filter?: ParamFilter;
  /** Called after each probe (for progress). */
  onProbe?: (row: SensitivityRow) => void;
}

export interface SensitivityRow {
  layer: string;
  sparsity: number;
  accuracy: number;
  /** The magnitude threshold that reaches this sparsity in this layer. */
  threshold: number;
}

export interface SensitivityResult {
  /** Accuracy with no layer pruned. */
  baseline: number;
  rows: SensitivityRow[];
}

export const DEFAULT_SPARSITIES: ReadonlyArray<number> = Array.from({ length: 20 }, (_, i) => i / 20);

function probe(v: Variable, original: Float32Array, sparsity: number): number {
  const mask = sparsityMask(original, sparsity);
  let threshold = 0;
  const pruned = original.map((x, i) => {
    if (mask[i]) return x;
    threshold = Math.max(threshold, Math.abs(x));
    return 0;
  });
  const t = tensor(pruned, v.shape, 'float32');
  v.assign(t);
  t.dispose();
  return threshold;
}

export async function sensitivityAnalysis(
  model: Module,
  options: SensitivityOptions,
): Promise<SensitivityResult> {
  const { evaluate, sparsities = DEFAULT_SPARSITIES, filter, onProbe } = options;
  for (const s of sparsities)
    if (!(s >= 0 && s <= 1)) throw new RangeError(`sensitivityAnalysis: sparsity ${s} is outside [0, 1]`);
  const weights = prunableWeights(model, filter);
  if (Object.keys(weights).length === 0) throw new Error('sensitivityAnalysis: no prunable weights');
  const baseline = await evaluate();
  const rows: SensitivityRow[] = [];
  for (const [layer, v] of Object.entries(weights)) {
    // a snapshot of the values; the restore writes this same array back, so it is bit exact
    const original = (v.dataSync() as Float32Array).slice();
    for (const sparsity of sparsities) {
      let row: SensitivityRow;
      try {
        const threshold = probe(v, original, sparsity);
        row = { layer, sparsity, accuracy: await evaluate(), threshold };
      } finally {
        // restored after every probe (also when evaluate throws), so onProbe sees the intact model
        const t = tensor(original, v.shape, 'float32');
        v.assign(t);
        t.dispose();
      }
      rows.push(row);
      onProbe?.(row);
    }
  }
  return { baseline, rows };
}

/** Rows as CSV text (header line layer,sparsity,accuracy,threshold). */
export function sensitivityCsv(result: SensitivityResult): string {
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [
    'layer,sparsity,accuracy,threshold',
    ...result.rows.map((r) => [quote(r.layer), r.sparsity, r.accuracy, r.threshold].join(',')),
  ]
    .join('\n')
    .concat('\n');
}

export interface LayerChoice {
  layer: string;
  /** The highest probed sparsity whose accuracy stays within the tolerance of the baseline. */
  sparsity: number;
  accuracy: number;
  /** Magnitude threshold that reaches it. */
  threshold: number;
}

/**
 * Per-layer sparsities (and thresholds) from an accuracy tolerance: for each layer the largest
 * probed sparsity with accuracy >= baseline - tolerance, considering only sparsities up to the
 * first one that breaks the tolerance (accuracy curves are noisy; a later lucky probe is ignored).
 */
export function chooseSparsities(result: SensitivityResult, tolerance: number): LayerChoice[] {
  if (!(tolerance >= 0)) throw new RangeError(`chooseSparsities: tolerance must be >= 0, got ${tolerance}`);
  const byLayer = new Map<string, SensitivityRow[]>();
  for (const r of result.rows) byLayer.set(r.layer, [...(byLayer.get(r.layer) ?? []), r]);
  return Array.from(byLayer, ([layer, rows]) => {
    const sorted = rows.slice().sort((a, b) => a.sparsity - b.sparsity);
    let best: LayerChoice = { layer, sparsity: 0, accuracy: result.baseline, threshold: 0 };
    for (const r of sorted) {
      if (r.accuracy < result.baseline - tolerance) break;
      best = { layer, sparsity: r.sparsity, accuracy: r.accuracy, threshold: r.threshold };
    }
    return best;
  });
}
