// The checks to run after upgrading TensorFlow.js (README.md beside this file): that the bundled list
// is tfjs-core's own list, and that every import the bundled gradient files make resolves to a name
// that exists where the bundle sends it (an import redirected to the wrong place would only fail
// when that gradient runs).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tfPublic from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { distModule, INTERNAL_MODULES, internalsShim, redirectGradientImport } from './bundle.mjs';
import { tfjsGradConfigs } from './gradients.js';
import * as internals from './internals.js';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(
  dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json')),
  'dist',
);
const read = (path: string) => readFileSync(path, 'utf8');

/** Gradient file stems ('Abs_grad') that tfjs-core's register_all_gradients.js imports. */
function tfjsList(): string[] {
  const source = read(join(dist, 'register_all_gradients.js'));
  return [...source.matchAll(/from '\.\/gradients\/(\w+)'/g)].map((m) => m[1]!).sort();
}

/** Gradient file stems that gradients.ts imports. */
function ourList(): string[] {
  const source = read(join(here, 'gradients.ts'));
  return [...source.matchAll(/from '@tensorflow\/tfjs-core\/dist\/gradients\/(\w+)\.js'/g)]
    .map((m) => m[1]!)
    .sort();
}

interface ParentImport {
  file: string;
  specifier: string;
  /** Names the file reads from the module: named imports, or `ns.name` uses of a namespace import. */
  names: string[];
}

/** Every `../` import of a bundled gradient file, with the names it reads. */
function parentImports(stem: string): ParentImport[] {
  const file = join(dist, 'gradients', `${stem}.js`);
  const source = read(file);
  const out: ParentImport[] = [];
  for (const m of source.matchAll(/import \{([^}]*)\} from '(\.\.\/[^']+)'/g)) {
    const names = m[1]!
      .split(',')
      .map((s) => s.trim().split(/\s+as\s+/)[0]!)
      .filter(Boolean);
    out.push({ file, specifier: m[2]!, names });
  }
  for (const m of source.matchAll(/import \* as (\w+) from '(\.\.\/[^']+)'/g)) {
    const uses = [...source.matchAll(new RegExp(`\\b${m[1]}\\.(\\w+)`, 'g'))].map((u) => u[1]!);
    out.push({ file, specifier: m[2]!, names: [...new Set(uses)] });
  }
  return out;
}

describe('the tfjs-core gradient bundle (the checks of an upgrade)', () => {
  it("lists exactly tfjs-core's registered gradients, each once", () => {
    expect(ourList()).toEqual(tfjsList());
    expect(tfjsGradConfigs).toHaveLength(tfjsList().length);
    const kernels = tfjsGradConfigs.map((g) => g.kernelName);
    expect(new Set(kernels).size).toBe(kernels.length);
    for (const g of tfjsGradConfigs) expect(typeof g.gradFunc, g.kernelName).toBe('function');
  });

  it('every name a gradient file imports exists where the bundle sends it', () => {
    const shim = new Set(Object.keys(internals));
    const publicNames = new Set(Object.keys(tfPublic));
    const missing: string[] = [];
    const usedInternal = new Set<string>();
    for (const stem of tfjsList()) {
      for (const { file, specifier, names } of parentImports(stem)) {
        const target = redirectGradientImport(specifier, file);
        expect(target, `${stem}: ${specifier}`).not.toBeNull();
        const internal = target!.path === internalsShim;
        if (internal) usedInternal.add(distModule(specifier, file));
        for (const name of names) {
          if (!(internal ? shim : publicNames).has(name))
            missing.push(
              `${stem} imports ${name} from ${specifier} (sent to ${internal ? 'internals.ts' : 'the public entry'})`,
            );
        }
      }
    }
    expect(missing).toEqual([]);
    // no stale entry: each internal module is still imported by some gradient
    expect([...usedInternal].sort()).toEqual([...INTERNAL_MODULES].sort());
  });

  it('redirects only the parent imports of the gradient files', () => {
    const importer = join(dist, 'gradients', 'Conv2D_grad.js');
    expect(redirectGradientImport('../ops/conv_util', importer)).toEqual({
      path: internalsShim,
      external: false,
    });
    expect(redirectGradientImport('../kernel_names', importer)).toEqual({
      path: '@tensorflow/tfjs-core',
      external: true,
    });
    expect(redirectGradientImport('./Abs_grad', importer)).toBeNull();
    expect(redirectGradientImport('../ops/conv_util', join(dist, 'ops', 'conv2d.js'))).toBeNull();
    expect(redirectGradientImport('../ops/conv_util', undefined)).toBeNull();
  });
});
