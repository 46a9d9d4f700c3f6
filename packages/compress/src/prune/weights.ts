// Which parameters pruning touches: by default the weight matrices and kernels (rank >= 2) of a
// module, not biases or normalisation parameters (Han et al. prune connections only).
import type { Module } from '@lab/core';
import type { Variable } from '@tensorflow/tfjs-core';

/** A parameter filter: a RegExp on the dotted name, or a predicate on name and variable. */
export type ParamFilter = RegExp | ((name: string, v: Variable) => boolean);

/** The prunable parameters of a module by dotted name (default: `*.weight` of rank >= 2). */
export function prunableWeights(model: Module, filter?: ParamFilter): Record<string, Variable> {
  const out: Record<string, Variable> = {};
  for (const [name, v] of Object.entries(model.parameters())) {
    const keep =
      filter === undefined
        ? v.rank >= 2 && /(^|\.)weight$/.test(name)
        : filter instanceof RegExp
          ? filter.test(name)
          : filter(name, v);
    if (keep) out[name] = v;
  }
  return out;
}
