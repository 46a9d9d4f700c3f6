// The bench command as it is run (the built dist/bench.js; the test task builds first): what it
// refuses before any workload starts, with the option or name in the message and exit code 1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bench = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bench.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bench, ...args], { encoding: 'utf8', timeout: 60_000 });

describe.skipIf(!existsSync(bench))('the bench command', () => {
  it('refuses an unknown workload, listing the known ones', () => {
    const r = run('dcgan', 'constructor');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^bench: unknown workload 'constructor' \(dcgan, wgangp, lenet300, gan-quality,/,
    );
    expect(r.stdout).toBe('');
  });

  it('refuses a bad option value, naming the option (options.test.ts checks each parser)', () => {
    const r = run('--seed', 'abc', 'dcgan');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--seed');
    expect(r.stdout).toBe('');
  });

  it('refuses --plot for two quality workloads at once and a --plot that is not a .png, before training', () => {
    const both = run('gan-quality', 'wgan-quality', '--plot', 'x.png', '--no-peer');
    expect(both.status).toBe(1);
    expect(both.stderr).toContain('--plot names one file');
    const txt = run('wgan-quality', '--plot', 'fd.txt', '--no-peer', '--iters', '1');
    expect(txt.status).toBe(1);
    expect(txt.stderr).toContain("option '--plot <file>' argument 'fd.txt' is invalid");
    expect(txt.stderr).toContain('--plot fd.txt: expected a .png file name');
    expect(txt.stdout).toBe('');
  });
});
