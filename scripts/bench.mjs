#!/usr/bin/env node
// `pnpm bench <workload...>`: builds what the benchmarks need (turbo cache) and runs them.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpm = join(root, 'scripts', 'pnpm.mjs');
const build = spawnSync(
  process.execPath,
  [pnpm, 'exec', 'turbo', 'run', 'build', '--filter=@lab/bench...', '--output-logs=errors-only'],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
    cwd: root,
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync(
  process.execPath,
  [join(root, 'apps', 'bench', 'dist', 'bench.js'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: root,
  },
);
process.exit(r.status ?? 1);
