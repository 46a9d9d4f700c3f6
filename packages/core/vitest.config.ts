import { defineConfig } from 'vitest/config';
import { tfjsGradientsVite } from './build/tfjs-gradients.mjs';

export default defineConfig({
  plugins: [tfjsGradientsVite],
  resolve: { conditions: ['@lab/source'] },
  ssr: { resolve: { conditions: ['@lab/source'] } },
  test: {
    // the json report lets scripts/test.mjs print the total count of tests run
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    server: { deps: { inline: [/tfjs-core[\\/]dist[\\/]gradients/] } },
  },
});
