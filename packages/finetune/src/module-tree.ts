// Walking a module tree by path. @lab/core keeps a module's children in a private map and exposes only
// Sequential's `layers`; until core has a public accessor, children are read from that map (checked
// at run time, so a change in core fails loudly here rather than silently finding no children).
import { isModule, type Module, Sequential } from '@lab/core';

/** A module's direct children, by the names its state-dict keys use. */
export function childModules(m: Module): [string, Module][] {
  if (m instanceof Sequential) return m.layers.map((layer, i) => [String(i), layer]);
  const children = (m as unknown as { children?: unknown }).children;
  if (!(children instanceof Map)) {
    throw new TypeError(`${m.name}: cannot list the children of this module (no children map)`);
  }
  return [...children.entries()].filter((e): e is [string, Module] => isModule(e[1]));
}

/** Every module of the tree with its dotted path ('' for the root), parents before children. */
export function namedModules(root: Module): [string, Module][] {
  const out: [string, Module][] = [];
  const visit = (path: string, m: Module) => {
    out.push([path, m]);
    for (const [k, child] of childModules(m)) visit(path ? `${path}.${k}` : k, child);
  };
  visit('', root);
  return out;
}

/** Names of a module's own parameters and buffers (not its children's), as local names. */
export function ownStateNames(m: Module): string[] {
  const childPrefixes = childModules(m).map(([k]) => `${k}.`);
  return Object.keys(m.stateDict()).filter((k) => !childPrefixes.some((p) => k.startsWith(p)));
}

/** The module owning each state-dict key of `root`: key -> { path, module, local name }. */
export function stateOwners(root: Module): Map<string, { path: string; module: Module; local: string }> {
  const owners = new Map<string, { path: string; module: Module; local: string }>();
  for (const [path, module] of namedModules(root)) {
    for (const local of ownStateNames(module)) {
      owners.set(path ? `${path}.${local}` : local, { path, module, local });
    }
  }
  return owners;
}

/** Modules that own parameters, in forward order for Sequential trees (the "layers" of depth counts). */
export function parameterisedModules(root: Module): [string, Module][] {
  return namedModules(root).filter(([, m]) => {
    const childPrefixes = childModules(m).map(([k]) => `${k}.`);
    return Object.keys(m.parameters()).some((k) => !childPrefixes.some((p) => k.startsWith(p)));
  });
}
