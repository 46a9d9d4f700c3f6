import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseSafetensors, readCheckpoint, serializeSafetensors, type TensorEntry } from '@lab/core';
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
  it('resumes the recipe its checkpoint records: modern continues exactly with no flags, a differing flag and a broken record are refused', async () => {
    const modern = { ...base, loss: undefined, recipe: 'modern' as const, steps: 4 };
    const straightDir = join(out, 'modern-straight');
    const straight = await ganTrain({ ...modern, out: straightDir });
    const dir = join(out, 'modern-resumed');
    await ganTrain({ ...modern, out: dir, steps: 2 });
    // no recipe flags now: the recorded recipe (EMA, rates 1e-4 / 4e-4, hinge, R1, SN) continues
    const resumed = await ganTrain({ ...base, loss: undefined, out: dir, steps: 4, resume: true });
    expect(resumed.startStep).toBe(2);
    expect(resumed.recipe).toEqual(straight.recipe);
    expect(resumed.recipe).toMatchObject({ recipe: 'modern', loss: 'hinge', lrG: 1e-4, lrD: 4e-4 });
    const tensorsOf = (d: string) => readCheckpoint(readFileSync(join(d, 'checkpoint.safetensors'))).tensors;
    const a = tensorsOf(straightDir);
    const b = tensorsOf(dir);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect([...b.keys()].some((k) => k.startsWith('module.Gema.'))).toBe(true);
    // 2 + 2 steps are the 4 steps of one run, bit for bit: the EMA continued and the rates are the record's
    for (const [name, t] of a) expect(Buffer.from(b.get(name)!.bytes), name).toEqual(Buffer.from(t.bytes));

    const ckpt = join(dir, 'checkpoint.safetensors');
    const more = { ...base, loss: undefined, out: dir, steps: 6, resume: true };
    await expect(ganTrain({ ...more, lrD: 1e-3 })).rejects.toThrow(
      `${ckpt} records --lr-d 0.0004, but --lr-d 0.001 was given`,
    );
    await expect(ganTrain({ ...more, recipe: 'baseline' })).rejects.toThrow(
      /records --recipe modern, but --recipe baseline/,
    );
    await expect(ganTrain({ ...more, loss: 'non-saturating' })).rejects.toThrow(/records --loss hinge/);
    await expect(ganTrain({ ...more, diffAugment: true })).rejects.toThrow(/records --diff-augment false/);

    const broken = join(out, 'modern-broken');
    mkdirSync(broken, { recursive: true });
    const { tensors, metadata } = parseSafetensors(readFileSync(ckpt));
    const entries: Record<string, TensorEntry> = {};
    for (const [name, t] of Object.entries(tensors))
      entries[name] = {
        dtype: 'F32',
        shape: t.shape,
        data: new Float32Array(new Uint8Array(t.bytes).buffer),
      };
    const meta = JSON.parse(metadata.lab!);
    meta.config.recipe.lrD = 'fast';
    writeFileSync(
      join(broken, 'checkpoint.safetensors'),
      serializeSafetensors(entries, { lab: JSON.stringify(meta) }),
    );
    await expect(ganTrain({ ...more, out: broken })).rejects.toThrow(
      /modern-broken.checkpoint\.safetensors.*config\.recipe\.lrD: "fast" is not a number/,
    );
  });
});
