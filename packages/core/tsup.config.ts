import { defineConfig } from 'tsup';
import { tfjsGradientsEsbuild } from './build/tfjs-gradients.mjs';

export default defineConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', node: 'src/node/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
  // Bundle tfjs-core's gradient definitions (see build/tfjs-gradients.mjs); everything else of tfjs stays external.
  noExternal: [/@tensorflow\/tfjs-core\/dist\/gradients\//],
  esbuildPlugins: [tfjsGradientsEsbuild],
});
