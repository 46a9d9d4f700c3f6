import { initBackend } from '@lab/core';
import { memory } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDistillOptions, DISTILL_DEFAULTS, distillBench } from './distill.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('pnpm bench distill', () => {
  it('runs the main table with a held-out slice, a temperature sweep and a jittered teacher on two threads, leaking nothing', async () => {
    const tensors = memory().numTensors;
    const line = await distillBench({
      epochs: 1,
      teacherWidth: 16,
      studentWidth: 8,
      trainExamples: 600,
      heldOut: 100,
      temperatures: [2, 4],
      jitter: 1,
      mainOnly: true,
      threads: 2,
      quiet: true,
    });
    expect(memory().numTensors).toBe(tensors);
    expect(line.workload).toBe('distill');
    expect(line.test_count).toBe(10_000);
    expect(line.held_out!.count).toBe(100);
    // the main temperature (20) and the two more, in order; the main row is distilled_errors
    expect(line.temperature_sweep.map((t) => t.temperature)).toEqual([2, 4, 20]);
    const main = line.temperature_sweep.find((t) => t.temperature === 20)!;
    expect(main.errors).toBe(line.distilled_errors);
    expect(main.held_out_errors).toBe(line.held_out!.distilled_errors);
    for (const t of line.temperature_sweep) expect(t.held_out_errors).toBeLessThanOrEqual(100);
    expect(line.omitted_errors).toBeNull();
    expect(line.dropout_ensemble).toEqual([]);
    expect(line.config).toMatchObject({ jitter: 1, heldOut: 100, mainOnly: true, threads: 2 });
  });

  it('with --factorisation-only trains only the student, factorises and fine-tunes it, leaking nothing', async () => {
    const tensors = memory().numTensors;
    const line = await distillBench({
      epochs: 1,
      studentWidth: 12,
      trainExamples: 1000,
      factorisationOnly: true,
      ranks: [2, 4],
      kroneckerTerms: [1, 2],
      factorEpochs: 1,
      quiet: true,
    });
    expect(memory().numTensors).toBe(tensors);
    expect(line.teacher_errors).toBeNull();
    expect(line.distilled_errors).toBeNull();
    expect(line.omitted_errors).toBeNull();
    expect(line.temperature_sweep).toEqual([]);
    expect(line.student_errors).toBeLessThan(10_000);
    const f = line.factorisation;
    expect(f.map((p) => [p.method, p.setting])).toEqual([
      ['dense', 0],
      ['svd', 2],
      ['svd', 4],
      ['kronecker', 1],
      ['kronecker', 2],
    ]);
    expect(f[0]).toMatchObject({ residual: 0, accuracy_before_tuning: null });
    expect(f[0]!.accuracy).toBeCloseTo(1 - line.student_errors / 10_000, 12);
    for (const p of f.slice(1)) {
      expect(p.residual).toBeGreaterThan(0);
      expect(p.residual).toBeLessThan(1);
      expect(p.accuracy_before_tuning).toBeGreaterThanOrEqual(0);
      expect(p.accuracy).toBeGreaterThanOrEqual(0);
    }
    expect(f[1]!.residual).toBeGreaterThan(f[2]!.residual);
    expect(f[3]!.residual).toBeGreaterThan(f[4]!.residual);
    // without fine-tuning there is no before/after
    const plain = await distillBench({
      epochs: 1,
      studentWidth: 12,
      trainExamples: 1000,
      factorisationOnly: true,
      ranks: [2],
      kroneckerTerms: [],
      factorEpochs: 0,
      quiet: true,
    });
    expect(plain.factorisation.map((p) => p.accuracy_before_tuning)).toEqual([null, null]);
    // the same student: the teacher's seeds are drawn all the same
    expect(plain.student_errors).toBe(line.student_errors);
  });

  it('refuses a held-out slice as large as the training images, a jitter off the image and no threads', () => {
    expect(() => checkDistillOptions({ ...DISTILL_DEFAULTS, trainExamples: 1000, heldOut: 1000 })).toThrow(
      /distill: --held-out 1000 must be a whole number below --train-examples 1000/,
    );
    expect(() => checkDistillOptions({ ...DISTILL_DEFAULTS, jitter: 28 })).toThrow(/--jitter 28/);
    expect(() => checkDistillOptions({ ...DISTILL_DEFAULTS, threads: 0 })).toThrow(/threads 0/);
    expect(() => checkDistillOptions({ ...DISTILL_DEFAULTS, factorEpochs: -1 })).toThrow(
      /distill: --factor-epochs -1 must be a whole number >= 0/,
    );
    expect(() => checkDistillOptions({ ...DISTILL_DEFAULTS, factorEpochs: 0.5 })).toThrow(
      /--factor-epochs 0.5/,
    );
    expect(() =>
      checkDistillOptions({ ...DISTILL_DEFAULTS, mainOnly: true, factorisationOnly: true }),
    ).toThrow(/--main-only and --factorisation-only/);
  });
});
