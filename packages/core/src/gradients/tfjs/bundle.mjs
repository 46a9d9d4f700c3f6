// Build-time half of the tfjs gradient bundle (see README.md beside this file). tfjs-core 4.22's Node
// entry registers no gradients, and its per-gradient ESM files cannot be loaded by Node (extensionless
// relative imports into internal modules). @lab/core therefore bundles those gradient definitions
// (gradients.ts lists them) and redirects their internal imports: public names go to the package entry
// `@tensorflow/tfjs-core` (kept external, so one engine per process), and the handful of internal
// helpers go to internals.ts, which rebuilds them on the public API. tsup.config.ts and
// vitest.config.ts take their settings for it from here, so this folder is the whole bundle.
import { dirname, join, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const internalsShim = join(here, 'internals.ts');

/** Internal modules (paths relative to tfjs-core/dist) whose names are not on the public entry. */
export const INTERNAL_MODULES = new Set([
  'util',
  'engine',
  'ops/axis_util',
  'ops/broadcast_util',
  'ops/conv_util',
  'ops/selu_util',
  'ops/slice_util',
  'ops/conv2d_backprop_filter',
  'ops/conv2d_backprop_input',
  'ops/conv3d_backprop_filter',
  'ops/conv3d_backprop_input',
  'ops/depthwise_conv2d_native_backprop_filter',
  'ops/depthwise_conv2d_native_backprop_input',
  'ops/max_pool_grad',
  'ops/avg_pool_grad',
  'ops/max_pool_3d_grad',
  'ops/avg_pool_3d_grad',
  'ops/local_response_normalization_backprop',
]);

const GRADIENTS_DIR = `${sep}tfjs-core${sep}dist${sep}gradients${sep}`;

/** The module an import made from inside tfjs-core/dist/gradients names, relative to dist ('ops/conv_util'). */
export function distModule(specifier, importer) {
  const distDir = resolvePath(dirname(importer), '..');
  return resolvePath(dirname(importer), specifier)
    .slice(distDir.length + 1)
    .split(sep)
    .join('/');
}

/** Where an import made from inside tfjs-core/dist/gradients should go, or null to leave it alone. */
export function redirectGradientImport(specifier, importer) {
  if (!importer?.includes(GRADIENTS_DIR) || !specifier.startsWith('../')) return null;
  return INTERNAL_MODULES.has(distModule(specifier, importer))
    ? { path: internalsShim, external: false }
    : { path: '@tensorflow/tfjs-core', external: true };
}

/** esbuild plugin (tsup). */
export const tfjsGradientsEsbuild = {
  name: 'lab-tfjs-gradients',
  setup(build) {
    build.onResolve(
      { filter: /^\.\.\// },
      (args) => redirectGradientImport(args.path, args.importer) ?? undefined,
    );
  },
};

/** Vite plugin (vitest): same redirects; the gradient files must also be inlined (tfjsGradientsVitest). */
export const tfjsGradientsVite = {
  name: 'lab-tfjs-gradients',
  enforce: 'pre',
  async resolveId(source, importer) {
    const r = redirectGradientImport(source, importer);
    if (!r) return null;
    // Resolve the public entry as our own sources would, so both load the same (externalised) module.
    return r.external ? this.resolve('@tensorflow/tfjs-core', internalsShim, { skipSelf: true }) : r.path;
  },
};

/** tsup options: bundle tfjs-core's gradient files (everything else of tfjs stays external). */
export const tfjsGradientsTsup = {
  noExternal: [/@tensorflow\/tfjs-core\/dist\/gradients\//],
  esbuildPlugins: [tfjsGradientsEsbuild],
};

/** vitest options: the plugin, and the gradient files inlined so that the plugin sees their imports. */
export const tfjsGradientsVitest = {
  plugins: [tfjsGradientsVite],
  inline: [/tfjs-core[\\/]dist[\\/]gradients/],
};
