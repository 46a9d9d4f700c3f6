// The distill workload's tables, with Hinton et al.'s figures beside ours.
import type { DistillLine } from './distill.js';
import { DISTILL_ANCHORS } from './distill.js';

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

export function distillTables(l: DistillLine): string {
  const a = DISTILL_ANCHORS;
  const c = l.config;
  const lines = [
    `Distillation on MNIST (${l.test_count} test images; teacher 784-${c.teacherWidth}-${c.teacherWidth}-10 with dropout, student 784-${c.studentWidth}-${c.studentWidth}-10, T = ${c.temperature}, ${c.epochs} epochs on ${c.trainExamples} images)`,
    row(['net', 'test errors', 'Hinton et al.']),
    row(['---', '---', '---']),
    row(['teacher (dropout)', l.teacher_errors, a.teacher_errors]),
    row(['student from scratch', l.student_errors, a.student_errors]),
    row(['student distilled', l.distilled_errors, a.distilled_errors]),
    row([
      `distilled without any ${l.omitted_class} (errors on ${l.omitted_class}s)`,
      `${l.omitted_errors} (${l.omitted_class_errors} of ${l.omitted_class_count})`,
      `${a.omitted_errors} (${a.omitted_class_errors} of 1010, digit 3)`,
    ]),
    row([
      `  + bias of ${l.omitted_class} raised by ${l.bias_shift}`,
      `${l.omitted_bias_errors} (${l.omitted_bias_class_errors}; ${(100 * l.omitted_class_acc).toFixed(1)}% right)`,
      `${a.omitted_bias_errors} (${a.omitted_bias_class_errors}, bias +3.5)`,
    ]),
    '',
    `Dropout as an ensemble: the teacher on the first ${l.dropout_ensemble[0]?.examples ?? 0} test images`,
    row(['net', 'test errors', 'error %']),
    row(['---', '---', '---']),
    ...l.dropout_ensemble.map((r) =>
      row([
        r.k === 0 ? 'weight-scaled' : `mean of ${r.k} sampled sub-network${r.k === 1 ? '' : 's'}`,
        r.errors,
        ((100 * r.errors) / r.examples).toFixed(2),
      ]),
    ),
    '',
    'Factorisation of the student from scratch (every Dense layer): accuracy against size',
    row(['method', 'rank / terms', 'parameters', 'compression', 'test accuracy %']),
    row(['---', '---', '---', '---', '---']),
    ...l.factorisation.map((p) =>
      row([
        p.method,
        p.setting || '-',
        p.parameters,
        `${p.compression.toFixed(1)}x`,
        (100 * p.accuracy).toFixed(2),
      ]),
    ),
  ];
  return lines.join('\n');
}
