// --combine for gan-parity: real lines of three runs (2026-12-07, seeds 0-2) combined per compared step,
// with figures worked out by hand, and each hostile line refused with its file, line and field.
import { describe, expect, it } from 'vitest';
import { BANNER, source } from './combine-fixture.js';
import { CombineInputError } from './combine-input.js';
import { combineParity } from './parity-combine.js';

const REF = 'PyTorch float64 from the same weights, batches, noise and dropout masks';
const line = (steps: number, ours: number, torch32: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    workload: 'gan-parity',
    steps,
    width: 64,
    dropout: 0.3,
    ours_loss_max_diff: 0.02,
    torch32_loss_max_diff: 0.0113,
    ours_update_rel_err: ours,
    torch32_update_rel_err: torch32,
    worst_tensor: { name: 'g.fc.weight', ours: 0.246, torch32: 0.156 },
    reference: REF,
    ...extra,
  });
// `--iters 100` (seed 0) prints steps 30 and 100; `--iters 30 --seed 1` and `--seed 2` step 30
const seed0 = source('parity.out', `${BANNER}${line(30, 0.141, 0.115)}\n${line(100, 0.702, 0.715)}\n`);
const seed1 = source('parity-s1.out', `${BANNER}${line(30, 0.155, 0.0957)}\ngan-parity: our run\n`);
const seed2 = source('parity-s2.out', `${BANNER}${line(30, 0.121, 0.137)}\n`);

describe('--combine for gan-parity', () => {
  it('gives per compared step the mean and spread of both errors and of their ratio', () => {
    const [at30, at100] = combineParity([seed0, seed1, seed2]);
    // ratios 0.141/0.115 = 1.226, 0.155/0.0957 = 1.620, 0.121/0.137 = 0.883: mean 3.729/3 = 1.243
    expect(at30).toMatchObject({
      workload: 'gan-parity',
      steps: 30,
      width: 64,
      dropout: 0.3,
      ours_update_rel_err: 0.139,
      torch32_update_rel_err: 0.1159,
      update_err_ratio: 1.243,
      // 0.139 / 0.1159
      update_err_ratio_of_means: 1.199,
      combined_runs: 3,
    });
    const spread = at30!.spread as Record<string, { min: number; max: number; n: number }>;
    expect(spread.update_err_ratio).toMatchObject({ min: 0.883, max: 1.62, n: 3 });
    const runs = at30!.runs as { source: string; seed: number | null; update_err_ratio: number }[];
    expect(runs.map((r) => [r.source, r.seed, r.update_err_ratio])).toEqual([
      ['parity.out line 5', null, 1.226],
      ['parity-s1.out line 5', null, 1.62],
      ['parity-s2.out line 5', null, 0.883],
    ]);
    expect(at100).toMatchObject({ steps: 100, update_err_ratio: 0.982, combined_runs: 1 });
    expect((at100!.spread as Record<string, { std: number | null }>).update_err_ratio!.std).toBeNull();
  });

  const fails = (text: string, message: RegExp) => {
    expect(() => combineParity([seed1, source('bad.out', text)])).toThrow(CombineInputError);
    expect(() => combineParity([seed1, source('bad.out', text)])).toThrow(message);
  };

  it('refuses a failed run, other nets, a field missing or out of range', () => {
    fails(
      '{"workload":"gan-parity","error":"python3-torch is not installed"}',
      /^--combine bad\.out line 1: error: the run failed: python3-torch is not installed/,
    );
    fails(line(30, 0.1, 0.1, { dropout: 0 }), /line 1: dropout: 0, but parity-s1\.out line 5 has 0\.3/);
    fails(line(30, 0.1, 0.1, { width: 8 }), /line 1: width: 8, but parity-s1\.out line 5 has 64/);
    fails(
      line(30, -0.1, 0.1),
      /line 1: ours_update_rel_err: expected a finite number in \[0, Infinity\], got -0\.1/,
    );
    fails(line(30, 0.1, 0.1, { steps: 0 }), /line 1: steps: expected an integer >= 1, got 0/);
    fails(line(30, 0.1, 0.1, { worst_tensor: 'g' }), /line 1: worst_tensor: expected a JSON object, got g/);
    fails(
      line(30, 0.1, 0.1, { worst_tensor: { name: 'g', ours: 0.1 } }),
      /line 1: worst_tensor\.torch32: expected a finite number/,
    );
    fails(
      line(30, 0.1, 0.1).replace('"torch32_loss_max_diff":0.0113,', ''),
      /line 1: torch32_loss_max_diff: expected/,
    );
    fails(line(30, 0.1, 0.1).replace('0.0113', '1e999'), /line 1: torch32_loss_max_diff: .*got Infinity/);
  });

  it('refuses the same run twice: the same seed, or the same figures where the lines name no seed', () => {
    expect(() => combineParity([seed1, seed2, source('again.out', `${line(30, 0.155, 0.0957)}\n`)])).toThrow(
      /^--combine again\.out line 1: ours_update_rel_err: the same figures as parity-s1\.out line 5: the same run \(seed\) twice\?/,
    );
    const a = source('a.out', line(30, 0.1, 0.12, { seed: 4 }));
    const b = source('b.out', line(30, 0.2, 0.13, { seed: 4 }));
    expect(() => combineParity([a, b])).toThrow(
      /^--combine b\.out line 1: seed: seed 4 at step 30 is also in a\.out line 1: each seed can be combined once/,
    );
    const c = source('c.out', line(30, 0.2, 0.13, { seed: 5 }));
    expect((combineParity([a, c])[0]!.runs as { seed: number }[]).map((r) => r.seed)).toEqual([4, 5]);
  });
});
