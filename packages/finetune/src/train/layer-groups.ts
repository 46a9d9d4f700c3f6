// Layer groups: lists of module paths, input side first, that share a learning rate and unfreeze
// together (fastai's parameter groups, ULMFiT's layers).
import type { Module } from '@lab/core';
import { namedModules, parameterisedModules } from '../module-tree.js';

/** Module paths per group, the group nearest the input first. */
export type LayerGroups = readonly (readonly string[])[];

/**
 * The model's layer groups: by default one per module that owns parameters (BatchNorm counts), in
 * forward order; or `groups` checked against the model (every path must name a module, and every
 * parameter must fall in exactly one group).
 */
export function layerGroups(model: Module, groups?: LayerGroups): string[][] {
  const out = groups ? groups.map((g) => [...g]) : parameterisedModules(model).map(([p]) => [p]);
  if (out.length === 0 || out.some((g) => g.length === 0))
    throw new RangeError('layerGroups: need at least one group, and no empty group');
  const paths = new Set(namedModules(model).map(([p]) => p));
  for (const [i, g] of out.entries())
    for (const p of g)
      if (!paths.has(p))
        throw new RangeError(`layerGroups: group ${i} names '${p}', not a module of the model`);
  const groupOf = groupOfParameter(out);
  for (const name of Object.keys(model.parameters())) groupOf(name);
  return out;
}

const inPath = (name: string, path: string) => path === '' || name.startsWith(`${path}.`);

/**
 * name -> index of its group (as a string, for core's partition). The deepest path containing the
 * name decides; a parameter in no group, or in two groups at the same depth, throws naming it.
 */
export function groupOfParameter(groups: LayerGroups): (name: string) => string {
  const owners = groups.flatMap((g, i) => g.map((path) => ({ path, i })));
  return (name) => {
    let best: { path: string; i: number } | undefined;
    for (const o of owners) {
      if (!inPath(name, o.path)) continue;
      if (best && best.path.length === o.path.length && best.i !== o.i)
        throw new RangeError(`layer groups ${best.i} and ${o.i} both hold '${name}'`);
      if (!best || o.path.length > best.path.length) best = o;
    }
    if (!best) throw new RangeError(`parameter '${name}' is in no layer group`);
    return String(best.i);
  };
}

/** The parameter names of group i. */
export function groupParameterNames(model: Module, groups: LayerGroups, i: number): string[] {
  const groupOf = groupOfParameter(groups);
  return Object.keys(model.parameters()).filter((n) => groupOf(n) === String(i));
}
