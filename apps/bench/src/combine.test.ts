// The --combine command: which command lines it refuses before reading a file, and the built bench
// (dist/bench.js; the test task builds first) printing the combined line or exiting 1 with the error.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCombineCommand } from './combine.js';
import { NO_PLOT, stdout, wganRun } from './combine-fixture.js';
import { wganQualityLine } from './quality-aggregate.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('the command line', () => {
  it('takes only combinable workloads and no training options', () => {
    expect(() => checkCombineCommand(['gan-quality', 'wgan-quality'], [])).not.toThrow();
    expect(() => checkCombineCommand(['gan-parity'], [])).not.toThrow();
    expect(() => checkCombineCommand(['dcgan'], [])).toThrow(
      /--combine reads gan-quality, wgan-quality, gan-parity lines, not dcgan/,
    );
    expect(() => checkCombineCommand(['gan-parity'], ['dropout'])).toThrow(/--dropout does not apply/);
    expect(() => checkCombineCommand(['gan-parity'], [], 'fd.png')).toThrow(
      /--plot draws FD curves: not for gan-parity/,
    );
    expect(() => checkCombineCommand(['gan-quality'], ['seeds'])).toThrow(/--seeds does not apply/);
    expect(() => checkCombineCommand(['wgan-quality'], ['width'])).toThrow(/--width does not apply/);
  });

  const bench = join(here, '..', 'dist', 'bench.js');
  const dir = mkdtempSync(join(tmpdir(), 'lab-combine-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [bench, ...args], { encoding: 'utf8', timeout: 60_000 });

  const lines = () => {
    mkdirSync(dir, { recursive: true });
    const runs = [0, 1].map((s) => wganRun(s, [10, 20]));
    const files = runs.map((r) => {
      const f = join(dir, `wq-${r.seed}.out`);
      writeFileSync(f, stdout(wganQualityLine(20, 8, [r], NO_PLOT)));
      return f;
    });
    return { runs, files };
  };
  // each command loads the whole bench (tfjs, the nets): seconds on a loaded machine
  const slow = 120_000;

  it.skipIf(!existsSync(bench))(
    'prints the combined line, the files given repeated or comma-separated',
    () => {
      const { runs, files } = lines();
      const ok = run('wgan-quality', '--combine', files[0]!, '--combine', files[1]!, '--quiet');
      expect(ok.status).toBe(0);
      expect(ok.stdout).toBe(`${JSON.stringify(wganQualityLine(20, 8, runs, NO_PLOT))}\n`);
      const commas = run('wgan-quality', '--combine', files.join(','), '--quiet');
      expect(commas.stdout).toBe(ok.stdout);
    },
    slow,
  );

  it.skipIf(!existsSync(bench))(
    'exits 1 with the error and no stack trace on a missing file or a file of another workload',
    () => {
      const { files } = lines();
      const missing = run('wgan-quality', '--combine', `${files[0]},${join(dir, 'none.out')}`);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/^bench: --combine .*none\.out: cannot read it: .*no such file/);
      expect(missing.stderr).not.toMatch(/\n\s+at /);
      expect(missing.stdout).toBe('');
      const other = run('gan-quality', '--combine', files[0]!);
      expect(other.status).toBe(1);
      expect(other.stderr).toMatch(/^bench: --combine .*wq-0\.out: no gan-quality line/);
      expect(other.stderr).not.toMatch(/\n\s+at /);
    },
    slow,
  );

  it.skipIf(!existsSync(bench))(
    'exits 1 on a training option or an empty file name',
    () => {
      const { files } = lines();
      const iters = run('wgan-quality', '--combine', files[0]!, '--iters', '20');
      expect(iters.status).toBe(1);
      expect(iters.stderr).toContain('--iters does not apply');
      const parity = run('gan-parity', '--combine', files[0]!);
      expect(parity.status).toBe(1);
      expect(parity.stderr).toMatch(/^bench: --combine .*wq-0\.out: no gan-parity line/);
      const empty = run('wgan-quality', '--combine', `${files[0]},`);
      expect(empty.status).toBe(1);
      expect(empty.stderr).toContain('--combine takes file names separated by commas');
    },
    slow,
  );
});
