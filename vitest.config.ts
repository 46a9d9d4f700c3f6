import { defineConfig } from 'vitest/config';

// Repository-level tests (release tooling); package tests live in each package.
export default defineConfig({
  test: {
    // the json report lets scripts/test.mjs print the total count of tests run
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
