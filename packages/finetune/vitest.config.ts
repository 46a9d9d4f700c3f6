import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // the json report lets scripts/test.mjs print the total count of tests run
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // sized for a loaded 2-core CI machine, where turbo runs several packages' tests at once
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
