#!/usr/bin/env node
// Install (frozen lockfile) and build everything; turbo's cache makes a second call near-instant.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpm = join(root, 'scripts', 'pnpm.mjs');
function run(args) {
  const r = spawnSync(process.execPath, [pnpm, ...args], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
run(['install', '--frozen-lockfile', '--prefer-offline']);
run(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
