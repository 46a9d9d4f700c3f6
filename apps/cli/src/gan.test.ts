import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
