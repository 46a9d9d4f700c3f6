#!/usr/bin/env node
// The whole test job (what `npm test` and CI run after setup): lint, typecheck and unit tests of every
// package through turbo, the repository tests, then the packages installed from their tarballs.
// Ends with the total count of tests that vitest ran, read from each package's JSON report.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpm = join(root, 'scripts', 'pnpm.mjs');
const reports = [
  join(root, '.vitest-results.json'),
  ...['packages', 'apps'].flatMap((d) =>
    readdirSync(join(root, d)).map((p) => join(root, d, p, '.vitest-results.json')),
  ),
];
for (const r of reports) rmSync(r, { force: true });

const steps = [
  [
    'lint, typecheck, unit tests',
    [
      pnpm,
      'exec',
      'turbo',
      'run',
      'lint',
      'typecheck',
      'test',
      '//#lint:root',
      '//#test:repo',
      '--output-logs=new-only',
      // one package's failure must not cut the others' tests short (their counts would go missing)
      '--continue',
    ],
  ],
  ['packages from tarballs under plain node', [join(root, 'scripts', 'check-packages.mjs')]],
];
let failedSteps = 0;
for (const [name, args] of steps) {
  console.log(`\n### ${name}`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    failedSteps++;
    console.error(`### FAILED: ${name}`);
  }
}
let passed = 0;
let failed = 0;
for (const r of reports) {
  if (!existsSync(r)) continue;
  const j = JSON.parse(readFileSync(r, 'utf8'));
  passed += j.numPassedTests;
  failed += j.numFailedTests;
}
// a failed step that left no failing test behind (lint, typecheck, install check) still counts as a failure
if (failedSteps && !failed) failed = failedSteps;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failedSteps || failed ? 1 : 0);
