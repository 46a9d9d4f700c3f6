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

  it('refuses a held-out slice as large as the training images, a jitter off the image and no threads', () => {
    expect(() => checkDistillOptions({ ...DISTILL_DEFAULTS, trainExamples: 1000, heldOut: 1000 })).toThrow(
      /distill: --held-out 1000 must be a whole number below --train-examples 1000/,
    );
    expect(() => checkDistillOptions({ ...DISTILL_DEFAULTS, jitter: 28 })).toThrow(/--jitter 28/);
    expect(() => checkDistillOptions({ ...DISTILL_DEFAULTS, threads: 0 })).toThrow(/threads 0/);
  });
});
