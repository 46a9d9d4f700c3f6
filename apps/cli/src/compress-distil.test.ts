import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@lab/core';
import { memory } from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDistil } from './compress-distil.js';
import { mlpFromBytes, validateMlpConfig } from './compress-distil-model.js';
import { type DistilRunOptions, distilRun } from './compress-distil-run.js';
import { embeddedDataDir } from './data.js';

// the embedded Fashion-MNIST test split serves as both splits of a small MNIST-layout directory
const dir = mkdtempSync(join(tmpdir(), 'lab-distil-'));
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
  teacherHidden: [32],
  studentHidden: [16],
  teacherEpochs: 2,
  jitter: 0,
  epochs: 2,
  temperature: 4,
  softWeight: 0.9,
  hardWeight: 0.1,
  samples: 0,
  biasShift: 3.5,
  heldOut: 500,
  limit: 2000,
  batchSize: 100,
  lr: 3e-3,
  seed: 1,
  out: join(dir, 'out', 'student.safetensors'),
  backend: 'wasm',
  quiet: true,
};

describe('lab compress distil', () => {
  it('trains a teacher, distils a student without one class, chooses its bias on held-out images, writes both files', async () => {
    const tensors = memory().numTensors;
    const s = await distilRun({
      ...base,
      omit: 3,
      biasShift: 'auto',
      teacherOut: join(dir, 'teacher.safetensors'),
    });
    expect(memory().numTensors).toBe(tensors);
    expect(s.testCount).toBe(10_000);
    // ten classes: chance makes 9,000 errors
    expect(s.teacherErrors).toBeLessThan(4000);
    expect(s.studentErrors).toBeLessThan(6000);
    expect(s.omit).toBe(3);
    expect(s.omittedClassCount).toBe(1000);
    expect(s.biasShift).toBeGreaterThanOrEqual(0);
    expect(s.files).toEqual([join(dir, 'teacher.safetensors'), join(dir, 'out', 'student.safetensors')]);
    const student = mlpFromBytes(readFileSync(s.files[1]!));
    expect(student.config.sizes).toEqual([784, 16, 10]);
    student.model.dispose();

    // the teacher file is read back as the teacher of a second run
    const again = await distilRun({ ...base, teacher: s.files[0]!, out: join(dir, 'student2.safetensors') });
    expect(again.teacherErrors).toBe(s.teacherErrors);
    expect(again.omit).toBeUndefined();
  });

  it('refuses bad teacher files and inconsistent options with a clear error, writing nothing', async () => {
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, 'not a model');
    const out = join(dir, 'never.safetensors');
    await expect(distilRun({ ...base, teacher: bad, out })).rejects.toThrow(/bad\.safetensors/);
    await expect(distilRun({ ...base, biasShift: 'auto', out })).rejects.toThrow(/needs --omit/);
    await expect(distilRun({ ...base, omit: 3, biasShift: 'auto', heldOut: 2000, out })).rejects.toThrow(
      /--held-out/,
    );
    expect(existsSync(out)).toBe(false);
    expect(() => validateMlpConfig({ sizes: [784, -1, 10] })).toThrow(/config\.sizes\.1/);
    expect(() => validateMlpConfig({ sizes: [784] })).toThrow(/config\.sizes/);
    expect(() => validateMlpConfig({ sizes: [784, 10], inputDropout: 2 })).toThrow(/inputDropout/);
  });

  it('registers distil on a command and rejects bad options by name', async () => {
    const parse = (args: string[]) => {
      const program = new Command('lab').exitOverride().configureOutput({ writeErr: () => {} });
      registerDistil(program).exitOverride();
      return program.parseAsync(['node', 'lab', 'distil', ...args]);
    };
    await expect(parse(['--omit', '3'])).rejects.toThrow(/--data/);
    await expect(parse(['--data', dir, '--omit', '12'])).rejects.toThrow(/--omit/);
    await expect(parse(['--data', dir, '--temperature', '0'])).rejects.toThrow(/--temperature/);
    await expect(parse(['--data', dir, '--bias-shift', 'lots'])).rejects.toThrow(/--bias-shift/);
    await expect(parse(['--data', dir, '--teacher-hidden', '12,x'])).rejects.toThrow(/--teacher-hidden/);
    await expect(parse(['--data', dir, '--teacher', 'a', '--teacher-out', 'b'])).rejects.toThrow(
      /--teacher-out/,
    );
    await expect(parse(['--data', dir, '--jitter', '-2'])).rejects.toThrow(/--jitter/);
    await expect(parse(['--data', dir, '--teacher', 'a', '--jitter', '2'])).rejects.toThrow(
      /--jitter shifts the inputs of a trained teacher/,
    );
  });
});
