import { defineConfig } from 'vitest/config';

// Repository-level tests (release tooling); package tests live in each package.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000 },
});
