// Finding a layer to cut at: by its dotted path through Sequentials ('3', '0.3', as in state-dict
// names) or by its module name when that is unique in the tree.
import { type Module, Sequential } from '@lab/core';
import { namedModules } from '../module-tree.js';
import { SurgeryError } from './errors.js';

export interface LocatedLayer {
  /** Indices through nested Sequentials, outermost first. */
  indices: number[];
  /** The dotted path ('0.3'). */
  path: string;
  module: Module;
}

/** Indices through Sequentials for a dotted path, or undefined when the path leaves the Sequentials. */
function indicesOf(root: Sequential, path: string): number[] | undefined {
  const indices: number[] = [];
  let at: Module = root;
  for (const part of path.split('.')) {
    if (!(at instanceof Sequential) || !/^\d+$/.test(part)) return undefined;
    const i = Number(part);
    const next = at.layers[i];
    if (!next) return undefined;
    indices.push(i);
    at = next;
  }
  return indices;
}

/** Locates `ref` (a dotted path, or a unique module name) in a tree of Sequentials. */
export function locateLayer(root: Sequential, ref: string, option = 'at'): LocatedLayer {
  if (typeof ref !== 'string' || ref === '') throw new SurgeryError(option, 'must be a layer path or name');
  const all = namedModules(root).filter(([p]) => p !== '');
  const byPath = all.find(([p]) => p === ref);
  const named = all.filter(([, m]) => m.name === ref);
  if (!byPath && named.length > 1) {
    throw new SurgeryError(
      option,
      `'${ref}' names ${named.length} layers (${named.map(([p]) => p).join(', ')}); give a path`,
    );
  }
  const hit = byPath ?? named[0];
  if (!hit) {
    const top = root.layers.map((m, i) => `${i} (${m.name})`).join(', ');
    throw new SurgeryError(option, `no layer '${ref}' (top-level layers: ${top})`);
  }
  const indices = indicesOf(root, hit[0]);
  if (!indices) {
    throw new SurgeryError(
      option,
      `'${hit[0]}' lies inside a module that is not a Sequential; cut at that module instead`,
    );
  }
  return { indices, path: hit[0], module: hit[1] };
}
