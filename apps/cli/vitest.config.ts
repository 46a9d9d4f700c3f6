import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // the json report lets scripts/test.mjs print the total count of tests run
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 300_000,
    // beforeAll hooks train small nets; a loaded 2-core CI machine needs more than vitest's 10 s
    hookTimeout: 300_000,
  },
});
