import { defineConfig } from 'tsup';
import { tfjsGradientsTsup } from './src/gradients/tfjs/bundle.mjs';

export default defineConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', node: 'src/node/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
  // tfjs-core's gradient definitions are bundled (src/gradients/tfjs/README.md); the rest of tfjs stays external
  ...tfjsGradientsTsup,
});
