// The common end of every weight reader: tensors already named and laid out for the model are checked
// against its state dict (names looked up as own entries only, shapes compared), reported, and, unless
// a strict load found a problem, assigned.
import type { Module } from '@lab/core';
import { cast, type Tensor, tensor } from '@tensorflow/tfjs-core';
import { emptyReport, type LoadReport, WeightsFormatError, WeightsMismatchError } from './errors.js';
import type { HostValues } from './layout.js';

export interface PreparedTensor {
  /** The name in the file (for reports and errors). */
  source: string;
  /** The model's state-dict name it should fill. */
  target: string;
  shape: number[];
  values: HostValues;
}

export interface ApplyOptions {
  /** Throw one error listing every problem (and load nothing) unless everything fits. Default true. */
  strict?: boolean;
  /** File names known to carry nothing for the model. */
  ignored?: string[];
  /** File names that map to no model name. */
  unexpected?: string[];
  warnings?: string[];
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** Checks `prepared` against `model.stateDict()`, then assigns what fits (everything, or nothing, when strict). */
export function applyTensors(
  model: Module,
  prepared: readonly PreparedTensor[],
  { strict = true, ignored = [], unexpected = [], warnings = [] }: ApplyOptions = {},
): LoadReport {
  const own = new Map(Object.entries(model.stateDict()));
  const report: LoadReport = { ...emptyReport(), ignored: [...ignored], warnings: [...warnings] };
  report.unexpected.push(...unexpected);
  const chosen = new Map<string, PreparedTensor>();
  for (const p of prepared) {
    const earlier = chosen.get(p.target);
    if (earlier) {
      throw new WeightsFormatError(
        'BadOption',
        p.source,
        `maps to '${p.target}', which '${earlier.source}' already fills`,
      );
    }
    const variable = own.get(p.target);
    if (!variable) {
      report.unexpected.push(p.source);
      continue;
    }
    if (!sameShape(variable.shape, p.shape)) {
      report.shapeMismatches.push({
        source: p.source,
        target: p.target,
        expected: [...variable.shape],
        got: [...p.shape],
      });
      chosen.set(p.target, p);
      continue;
    }
    chosen.set(p.target, p);
    report.matched.push({ source: p.source, target: p.target });
  }
  for (const name of own.keys()) if (!chosen.has(name)) report.missing.push(name);
  const problems = report.missing.length + report.unexpected.length + report.shapeMismatches.length;
  if (strict && problems > 0) throw new WeightsMismatchError(model.name, report);
  for (const { source, target } of report.matched) {
    const p = chosen.get(target)!;
    const v = own.get(target)!;
    const t: Tensor = tensor(p.values, p.shape, p.values instanceof Int32Array ? 'int32' : 'float32');
    try {
      if (t.dtype === v.dtype) v.assign(t);
      else {
        const converted = cast(t, v.dtype);
        v.assign(converted);
        converted.dispose();
      }
    } catch (e) {
      throw new WeightsFormatError(
        'BadDtype',
        source,
        `cannot assign to '${target}': ${(e as Error).message}`,
      );
    } finally {
      t.dispose();
    }
  }
  return report;
}
