import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors } from '@lab/core';
import { afterAll, describe, expect, it } from 'vitest';
import { wganTrain } from './wgan.js';

/** Every tensor of a checkpoint file by name, as raw bytes, and its metadata. */
function checkpointContents(path: string) {
  const { tensors, metadata } = parseSafetensors(readFileSync(path));
  const bytes = Object.fromEntries(
    Object.entries(tensors).map(([k, t]) => [k, Buffer.from(t.bytes).toString('hex')]),
  );
  return { bytes, meta: JSON.parse(metadata.lab!) };
}

const out = mkdtempSync(join(tmpdir(), 'lab-wgan-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('lab wgan train', () => {
  it('logs a finite Wasserstein estimate every step, writes grids, metrics and a checkpoint', async () => {
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
        for (const v of Object.values(d[k])) expect(Number.isFinite(v)).toBe(true);
        expect(d[k].median).toBeGreaterThan(0);
      }
    // three different batches are measured, and the critic changes between the steps
    const medians = (i: number) =>
      (['real', 'fake', 'interpolated'] as const).map((k) => sn.lipschitz[i]![k].median);
    expect(new Set(medians(0)).size).toBe(3);
    expect(medians(2)).not.toEqual(medians(0));
    expect(readFileSync(join(out, 'spectral', 'lipschitz.svg'), 'utf8')).toContain('<svg');
  });

  it('resumes bit for bit: stopping at step 2 and resuming to 4 gives the weights, optimizer and random states of the uninterrupted run', async () => {
    const base = {
      batchSize: 8,
      width: 2,
      latent: 8,
      penalty: 'gp' as const,
      nCritic: 2,
      seed: 5,
      sampleEvery: 100,
      checkpointEvery: 2,
      diagnosticsEvery: 0,
      backend: 'wasm' as const,
      quiet: true,
    };
    const whole = join(out, 'whole');
    const split = join(out, 'split');
    await wganTrain({ ...base, steps: 4, out: whole, resume: false });
    await wganTrain({ ...base, steps: 2, out: split, resume: false });
    const resumed = await wganTrain({ ...base, steps: 4, out: split, resume: true });
    expect(resumed.startStep).toBe(2);
    const a = checkpointContents(join(whole, 'checkpoint.safetensors'));
    const b = checkpointContents(join(split, 'checkpoint.safetensors'));
    expect(a.meta.step).toBe(4);
    expect(b.meta).toEqual(a.meta);
    expect(Object.keys(b.bytes).sort()).toEqual(Object.keys(a.bytes).sort());
    expect(Object.keys(a.bytes).some((k) => k.startsWith('module.G.'))).toBe(true);
    expect(Object.keys(a.bytes).some((k) => k.startsWith('optim.D.'))).toBe(true);
    for (const k of Object.keys(a.bytes)) expect([k, b.bytes[k]]).toEqual([k, a.bytes[k]]);
    // and the run did train: step 4's generator differs from step 2's
    const atTwo = await wganTrain({ ...base, steps: 2, out: join(out, 'two'), resume: false });
    expect(atTwo.stepsDone).toBe(2);
    const two = checkpointContents(join(out, 'two', 'checkpoint.safetensors'));
    expect(two.bytes['module.G.0.weight']).not.toBe(a.bytes['module.G.0.weight']);
  });
});
