import { describe, expect, it } from 'vitest';
import { DISTILL_DEFAULTS, type DistillLine } from './distill.js';
import { distillTables } from './distill-table.js';

function line(overrides: Partial<DistillLine> = {}): DistillLine {
  const { quiet: _q, dataDir: _d, ...config } = { ...DISTILL_DEFAULTS, epochs: 2, studentWidth: 30 };
  return {
    workload: 'distill',
    teacher_errors: 100,
    student_errors: 200,
    distilled_errors: 150,
    held_out: null,
    temperature_sweep: [{ temperature: 20, errors: 150, held_out_errors: null }],
    omitted_class: 3,
    omitted_errors: 300,
    omitted_bias_errors: 180,
    omitted_class_acc: 0.9,
    omitted_class_errors: 250,
    omitted_bias_class_errors: 101,
    omitted_class_count: 1010,
    bias_shift: 3.5,
    test_count: 10_000,
    dropout_ensemble: [
      { k: 0, errors: 12, examples: 200 },
      { k: 1, errors: 30, examples: 200 },
    ],
    factorisation: [
      {
        method: 'svd',
        setting: 8,
        parameters: 1000,
        compression: 12.5,
        residual: 0.4321,
        accuracy_before_tuning: null,
        accuracy: 0.9512,
      },
    ],
    config,
    seconds: 1,
    ...overrides,
  } as DistillLine;
}

describe('distill tables', () => {
  it('puts our errors beside Hinton et al.s, with the omitted class, ensemble and factorisation', () => {
    const t = distillTables(line()).split('\n');
    expect(t[0]).toContain('student 784-30-30-10, T = 20, 2 epochs on 60000 images');
    expect(t).toContain('| teacher (dropout) | 100 | 67 |');
    expect(t).toContain('| student from scratch | 200 | 146 |');
    expect(t).toContain('| student distilled | 150 | 74 |');
    expect(t).toContain(
      '| distilled without any 3 (errors on 3s) | 300 (250 of 1010) | 206 (133 of 1010, digit 3) |',
    );
    expect(t).toContain('|   + bias of 3 raised by 3.5 | 180 (101; 90.0% right) | 109 (14, bias +3.5) |');
    expect(t).toContain('| weight-scaled | 12 | 6.00 |');
    expect(t).toContain('| mean of 1 sampled sub-network | 30 | 15.00 |');
    expect(t).toContain(
      '| method | rank / terms | parameters | compression | weight residual % | test accuracy % |',
    );
    expect(t).toContain('| svd | 8 | 1000 | 12.5x | 43.2 | 95.12 |');
    // one temperature: no sweep table
    expect(t.some((r) => r.startsWith('Distilled student by temperature'))).toBe(false);
  });

  it('adds the held-out column, the sweep and the jitter, and leaves out what --main-only skipped', () => {
    const main = line({
      held_out: { count: 1000, teacher_errors: 11, student_errors: 22, distilled_errors: 15 },
      temperature_sweep: [
        { temperature: 4, errors: 140, held_out_errors: 14 },
        { temperature: 20, errors: 150, held_out_errors: 15 },
      ],
      omitted_errors: null,
      omitted_bias_errors: null,
      omitted_class_acc: null,
      omitted_class_errors: null,
      omitted_bias_class_errors: null,
      dropout_ensemble: [],
      factorisation: [],
      config: { ...line().config, jitter: 2, heldOut: 1000, trainExamples: 5000 },
    });
    const t = distillTables(main).split('\n');
    expect(t[0]).toContain('with dropout, inputs jittered by up to 2 px');
    expect(t[0]).toContain('2 epochs on 4000 images');
    expect(t).toContain('| net | test errors | held-out errors (of 1000) | Hinton et al. |');
    expect(t).toContain('| student from scratch | 200 | 22 | 146 |');
    expect(t).toContain('| 4 | 140 | 14 |');
    expect(t).toContain('| 20 | 150 | 15 |');
    expect(t.some((r) => r.includes('without any'))).toBe(false);
    expect(t.some((r) => r.startsWith('Dropout as an ensemble'))).toBe(false);
    expect(t.some((r) => r.startsWith('Factorisation'))).toBe(false);
  });

  it('gives the accuracy before and after fine-tuning, and only the student with --factorisation-only', () => {
    const { config } = line();
    const only = line({
      teacher_errors: null,
      distilled_errors: null,
      temperature_sweep: [],
      omitted_errors: null,
      omitted_bias_errors: null,
      omitted_class_acc: null,
      omitted_class_errors: null,
      omitted_bias_class_errors: null,
      dropout_ensemble: [],
      factorisation: [
        {
          method: 'dense',
          setting: 0,
          parameters: 2000,
          compression: 1,
          residual: 0,
          accuracy_before_tuning: null,
          accuracy: 0.98,
        },
        {
          method: 'kronecker',
          setting: 4,
          parameters: 100,
          compression: 20,
          residual: 0.9712,
          accuracy_before_tuning: 0.0974,
          accuracy: 0.9456,
        },
      ],
      config: { ...config, factorisationOnly: true, factorEpochs: 1 },
    });
    const t = distillTables(only).split('\n');
    expect(t[0]).toContain('Student 784-30-30-10 from scratch');
    expect(t).toContain('| student from scratch | 200 | 146 |');
    expect(t.some((r) => r.startsWith('| teacher'))).toBe(false);
    expect(t.some((r) => r.startsWith('Dropout as an ensemble'))).toBe(false);
    expect(t).toContain(
      '| method | rank / terms | parameters | compression | weight residual % | test accuracy % as factorised | after 1 epoch fine-tuning |',
    );
    expect(t).toContain('| dense | - | 2000 | 1.0x | 0.0 | 98.00 | 98.00 |');
    expect(t).toContain('| kronecker | 4 | 100 | 20.0x | 97.1 | 9.74 | 94.56 |');
  });
});
