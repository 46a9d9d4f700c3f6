import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainClassifier } from './train.js';

const out = mkdtempSync(join(tmpdir(), 'lab-train-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('lab train', () => {
  it('learns the embedded Fashion-MNIST split, writes its files and leaks no tensors', async () => {
    const s = await trainClassifier({
      epochs: 2,
      batchSize: 64,
      lr: 2e-3,
      seed: 1,
      out,
      backend: 'wasm',
      limit: 2000,
      quiet: true,
    });
    expect(s.backend.backend).toBe('wasm');
    expect(s.trainExamples).toBe(2000);
    expect(s.validationExamples).toBe(1000);
    // ten balanced classes: chance is 10%; two short epochs already reach well above 60%
    expect(s.validationAccuracy[1]).toBeGreaterThan(0.6);
    expect(s.epochLoss[1]).toBeLessThan(s.epochLoss[0]!);
    expect(s.tensorsAfterEpoch[1]).toBe(s.tensorsAfterEpoch[0]);
    const png = readFileSync(s.files.predictions);
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    expect(JSON.parse(readFileSync(s.files.summary, 'utf8')).validationAccuracy).toEqual(
      s.validationAccuracy,
    );
    expect(existsSync(s.files.curves)).toBe(true);
  });
  it('gives a clear error for a data directory without IDX files', async () => {
    await expect(
      trainClassifier({
        data: out,
        epochs: 1,
        batchSize: 8,
        lr: 1e-3,
        seed: 0,
        out,
        backend: 'cpu',
        quiet: true,
      }),
    ).rejects.toThrow(/neither train-images-idx3-ubyte.gz nor train-images-idx3-ubyte exists/);
  });
});
