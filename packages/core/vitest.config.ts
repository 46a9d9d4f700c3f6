import { defineConfig } from 'vitest/config';
import { tfjsGradientsVite } from './build/tfjs-gradients.mjs';

export default defineConfig({
  plugins: [tfjsGradientsVite],
  resolve: { conditions: ['@lab/source'] },
  ssr: { resolve: { conditions: ['@lab/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    server: { deps: { inline: [/tfjs-core[\\/]dist[\\/]gradients/] } },
  },
});
