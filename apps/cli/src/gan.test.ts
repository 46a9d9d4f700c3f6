import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readCheckpoint } from '@lab/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ganSample, ganTrain } from './gan.js';

const out = mkdtempSync(join(tmpdir(), 'lab-gan-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const base = {
  steps: 4,
  batchSize: 8,
  width: 2,
  latent: 8,
  loss: 'non-saturating' as const,
  dSteps: 1,
  seed: 1,
  out,
  sampleEvery: 2,
  checkpointEvery: 2,
  resume: false,
  backend: 'wasm' as const,
  quiet: true,
};

describe('lab gan', () => {
  it('trains, writes grids, a checkpoint and metrics, resumes, and samples from the checkpoint', async () => {
    const first = await ganTrain(base);
    expect(first.stepsDone).toBe(4);
    expect(first.grids.map((f) => f.slice(-18))).toEqual(['samples-000002.png', 'samples-000004.png']);
    expect(first.dLoss.every(Number.isFinite)).toBe(true);
    const resumed = await ganTrain({ ...base, steps: 6, resume: true });
    expect(resumed.startStep).toBe(4);
    expect(resumed.dLoss).toHaveLength(2);
    expect(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).stepsDone).toBe(6);
    await expect(ganTrain({ ...base, width: 4, steps: 8, resume: true })).rejects.toThrow(
      /trained with width 2/,
    );
    const s = await ganSample({
      checkpoint: join(out, 'checkpoint.safetensors'),
      count: 9,
      seed: 0,
      out: join(out, 's.png'),
      backend: 'wasm',
    });
    expect(existsSync(s.file)).toBe(true);
    await expect(
      ganSample({
        checkpoint: join(out, 'metrics.json'),
        count: 4,
        seed: 0,
        out: join(out, 'x.png'),
        backend: 'wasm',
      }),
    ).rejects.toThrow();
  });
  it('trains the modern recipe: EMA grids beside the raw ones, the EMA checkpointed as module Gema, sampled with ema', async () => {
    const dir = join(out, 'modern');
    const modern = { ...base, loss: undefined, out: dir, recipe: 'modern' as const, diffAugment: true };
    const s = await ganTrain(modern);
    expect(s.recipe).toMatchObject({ loss: 'hinge', lrG: 1e-4, lrD: 4e-4, spectralNorm: true });
    expect(s.recipe.ema?.decay).toBe(0.999);
    expect(s.recipe.diffAugment).toBeDefined();
    expect(s.dLoss.every(Number.isFinite)).toBe(true);
    expect(s.grids.map((f) => basename(f))).toEqual([
      'samples-000002.png',
      'samples-ema-000002.png',
      'samples-000004.png',
      'samples-ema-000004.png',
    ]);
    const ckpt = join(dir, 'checkpoint.safetensors');
    const info = readCheckpoint(readFileSync(ckpt));
    const ema = info.tensors.get('module.Gema.0.weight');
    const raw = info.tensors.get('module.G.0.weight');
    expect(ema?.shape).toEqual(raw?.shape);
    expect(info.tensors.has('module.D.0.spectralU')).toBe(true);
    const resumed = await ganTrain({ ...modern, steps: 6, resume: true });
    expect(resumed.startStep).toBe(4);
    const sampled = await ganSample({
      checkpoint: ckpt,
      count: 4,
      seed: 0,
      out: join(dir, 'e.png'),
      backend: 'wasm',
      ema: true,
    });
    expect(existsSync(sampled.file)).toBe(true);
    // a baseline checkpoint has no EMA generator to sample
    await expect(
      ganSample({
        checkpoint: join(out, 'checkpoint.safetensors'),
        count: 4,
        seed: 0,
        out: join(out, 'y.png'),
        backend: 'wasm',
        ema: true,
      }),
    ).rejects.toThrow(/has no EMA generator/);
  });
});
