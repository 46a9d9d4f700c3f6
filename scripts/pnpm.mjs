#!/usr/bin/env node
// Runs the pnpm version pinned in package.json's "packageManager", installing it into .tools/
// with plain npm when the machine has no pnpm or another version. Works on a machine with only
// Node and npm, and never asks corepack (the registry here serves no signatures).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
const version = /^pnpm@(\d+\.\d+\.\d+)/.exec(pinned ?? '')?.[1];
if (!version) {
  console.error(`package.json "packageManager" must be "pnpm@x.y.z", found ${JSON.stringify(pinned)}`);
  process.exit(1);
}

function versionOf(cmd, args) {
  const r = spawnSync(cmd, [...args, '--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const localBin = join(root, '.tools', 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
let command;
if (versionOf('pnpm', []) === version) {
  command = ['pnpm', []];
} else {
  if (!existsSync(localBin) || versionOf(process.execPath, [localBin]) !== version) {
    console.error(`[lab] installing pnpm@${version} into .tools/ with npm`);
    const r = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        join(root, '.tools'),
        '--no-save',
        '--no-audit',
        '--no-fund',
        `pnpm@${version}`,
      ],
      { stdio: 'inherit' },
    );
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  command = [process.execPath, [localBin]];
  // tools that look pnpm up on PATH (turbo) must find this one
  process.env.PATH = `${join(root, '.tools', 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`;
}
// turbo (run through pnpm by every script here) prints a telemetry notice and update checks into every
// run's output; these switch both off for everything started from here, unless the caller set them
process.env.TURBO_TELEMETRY_DISABLED ??= '1';
process.env.TURBO_NO_UPDATE_NOTIFIER ??= '1';
const r = spawnSync(command[0], [...command[1], ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.cwd(),
});
process.exit(r.status ?? 1);
