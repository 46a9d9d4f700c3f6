import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlp } from '@lab/compress';
import { initBackend } from '@lab/core';
import { writeFileAtomic } from '@lab/core/node';
import { memory } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlpBytes, mlpFromBytes } from './compress-distil-model.js';
import { type DistilRunOptions, distilRun } from './compress-distil-run.js';
import { embeddedDataDir } from './data.js';

// the embedded Fashion-MNIST test split serves as both splits of a small MNIST-layout directory
const dir = mkdtempSync(join(tmpdir(), 'lab-distil-run-'));
for (const kind of ['images-idx3', 'labels-idx1']) {
  copyFileSync(join(embeddedDataDir(), `t10k-${kind}-ubyte.gz`), join(dir, `t10k-${kind}-ubyte.gz`));
  copyFileSync(join(embeddedDataDir(), `t10k-${kind}-ubyte.gz`), join(dir, `train-${kind}-ubyte.gz`));
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const base: DistilRunOptions = {
  data: dir,
  teacherHidden: [16],
  studentHidden: [8],
  teacherEpochs: 1,
  jitter: 0,
  epochs: 1,
  temperature: 4,
  softWeight: 0.9,
  hardWeight: 0.1,
  samples: 0,
  biasShift: 3.5,
  heldOut: 100,
  limit: 500,
  batchSize: 50,
  lr: 3e-3,
  seed: 2,
  out: join(dir, 'student.safetensors'),
  backend: 'wasm',
  quiet: true,
};

const weightsOf = (file: string) => {
  const { model } = mlpFromBytes(readFileSync(file));
  const w = Object.values(model.parameters()).map((v) => Array.from(v.dataSync()));
  model.dispose();
  return w;
};

describe('distilRun', () => {
  it('trains the same teacher from the same seed, another one on jittered inputs, and leaks nothing', async () => {
    const tensors = memory().numTensors;
    const files = ['plain', 'again', 'jittered'].map((n) => join(dir, `${n}.safetensors`));
    const plain = await distilRun({ ...base, teacherOut: files[0] });
    await distilRun({ ...base, teacherOut: files[1] });
    const jittered = await distilRun({ ...base, jitter: 2, teacherOut: files[2] });
    expect(memory().numTensors).toBe(tensors);
    expect(weightsOf(files[1]!)).toEqual(weightsOf(files[0]!));
    expect(weightsOf(files[2]!)).not.toEqual(weightsOf(files[0]!));
    // 400 training images and one epoch still beat chance (9,000 errors of 10,000) by far
    for (const s of [plain, jittered]) {
      expect(s.teacherErrors).toBeLessThan(7000);
      expect(s.testCount).toBe(10_000);
    }
    expect(plain.files).toEqual([files[0], base.out]);
  });

  it("caches a deterministic teacher's soft targets: the same student bit for bit as a teacher pass per batch", async () => {
    const teacher = join(dir, 'cache-teacher.safetensors');
    await distilRun({ ...base, teacherOut: teacher, out: join(dir, 'cached.safetensors') });
    const read = { ...base, teacher, epochs: 2 };
    const tensors = memory().numTensors;
    await distilRun({ ...read, out: join(dir, 'cached.safetensors') });
    await distilRun({ ...read, cacheTargets: false, out: join(dir, 'per-batch.safetensors') });
    expect(memory().numTensors).toBe(tensors);
    const bits = (file: string) =>
      weightsOf(file).map((w) => Array.from(new Uint32Array(Float32Array.from(w).buffer)));
    expect(bits(join(dir, 'cached.safetensors'))).toEqual(bits(join(dir, 'per-batch.safetensors')));
    await expect(distilRun({ ...read, samples: 2, cacheTargets: true })).rejects.toThrow(
      /cacheTargets needs a deterministic teacher/,
    );
  });

  it('refuses a teacher of the wrong shape or --jitter with a read teacher, writing nothing', async () => {
    const wrong = join(dir, 'wrong.safetensors');
    const config = { sizes: [100, 4, 10], inputDropout: 0, hiddenDropout: 0 };
    const model = mlp(config.sizes);
    writeFileAtomic(wrong, mlpBytes(model, config, {}));
    model.dispose();
    const out = join(dir, 'never.safetensors');
    await expect(distilRun({ ...base, teacher: wrong, out })).rejects.toThrow(
      /wrong\.safetensors: the teacher maps 100 inputs to 10 classes; the data has 784 pixels/,
    );
    await expect(distilRun({ ...base, teacher: wrong, jitter: 1, out })).rejects.toThrow(
      /--jitter shifts the inputs of a trained teacher/,
    );
    await expect(distilRun({ ...base, omit: 1, biasShift: 'auto', heldOut: 500, out })).rejects.toThrow(
      /--held-out 500 leaves no training image of 500/,
    );
    expect(existsSync(out)).toBe(false);
  });
});
