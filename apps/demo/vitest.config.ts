import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // the json report lets scripts/test.mjs print the total count of tests run
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    include: ['src/**/*.test.ts'],
    // the build runs once here, with no hook timeout around it
    globalSetup: ['src/global-setup.ts'],
    // sized for a loaded 2-core CI machine: Chromium's start and each page's work can take minutes
    testTimeout: 600_000,
    hookTimeout: 180_000,
  },
});
