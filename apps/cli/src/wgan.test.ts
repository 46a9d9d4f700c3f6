import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wganTrain } from './wgan.js';

const out = mkdtempSync(join(tmpdir(), 'lab-wgan-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('lab wgan train', () => {
  it('logs a finite Wasserstein estimate every step, writes grids, metrics and a checkpoint, and resumes', async () => {
    const base = {
      steps: 3,
      batchSize: 8,
      width: 2,
      latent: 8,
      penalty: 'gp' as const,
      nCritic: 2,
      seed: 2,
      out,
      sampleEvery: 3,
      checkpointEvery: 3,
      resume: false,
      backend: 'wasm' as const,
      quiet: true,
    };
    const s = await wganTrain(base);
    expect(s.wassersteinEstimate).toHaveLength(3);
    expect(s.wassersteinEstimate.every(Number.isFinite)).toBe(true);
    expect(s.grids).toHaveLength(1);
    const r = await wganTrain({ ...base, steps: 4, resume: true });
    expect(r.startStep).toBe(3);
    expect(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).stepsDone).toBe(4);
    const c = await wganTrain({ ...base, penalty: 'clip', out: join(out, 'clip') });
    expect(c.wassersteinEstimate.every(Number.isFinite)).toBe(true);
    // spectral-norm critic with layer norm, Lipschitz diagnostics logged every step
    const sn = await wganTrain({
      ...base,
      penalty: 'spectral',
      criticNorm: 'layer',
      diagnosticsEvery: 1,
      out: join(out, 'spectral'),
    });
    expect(sn.wassersteinEstimate.every(Number.isFinite)).toBe(true);
    expect(sn.lipschitz.map((d) => d.step)).toEqual([1, 2, 3]);
    for (const d of sn.lipschitz)
      for (const k of ['real', 'fake', 'interpolated'] as const) {
        expect(d[k].median).toBeGreaterThan(0);
        expect(d[k].min).toBeLessThanOrEqual(d[k].max);
      }
    expect(readFileSync(join(out, 'spectral', 'lipschitz.svg'), 'utf8')).toContain('<svg');
  });
});
