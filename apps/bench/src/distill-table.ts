// The distill workload's tables, with Hinton et al.'s figures beside ours.
import type { DistillLine } from './distill.js';
import { DISTILL_ANCHORS } from './distill.js';

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

/** The main table: teacher, student from scratch, distilled student (held-out errors when measured). */
function mainTable(l: DistillLine): string[] {
  const a = DISTILL_ANCHORS;
  const c = l.config;
  if (l.teacher_errors === null || l.distilled_errors === null)
    return [
      `Student 784-${c.studentWidth}-${c.studentWidth}-10 from scratch on MNIST (${l.test_count} test images, ${c.epochs} epochs on ${c.trainExamples - c.heldOut} images; --factorisation-only: no teacher)`,
      row(['net', 'test errors', 'Hinton et al.']),
      row(['---', '---', '---']),
      row(['student from scratch', l.student_errors, a.student_errors]),
    ];
  const h = l.held_out;
  const cells = (net: string, errors: number, held: number | undefined, anchor: number) =>
    row(h ? [net, errors, held!, anchor] : [net, errors, anchor]);
  const jitter = c.jitter > 0 ? `, inputs jittered by up to ${c.jitter} px` : '';
  return [
    `Distillation on MNIST (${l.test_count} test images; teacher 784-${c.teacherWidth}-${c.teacherWidth}-10 with dropout${jitter}, student 784-${c.studentWidth}-${c.studentWidth}-10, T = ${c.temperature}, ${c.epochs} epochs on ${c.trainExamples - c.heldOut} images)`,
    row(
      h
        ? ['net', 'test errors', `held-out errors (of ${h.count})`, 'Hinton et al.']
        : ['net', 'test errors', 'Hinton et al.'],
    ),
    row(h ? ['---', '---', '---', '---'] : ['---', '---', '---']),
    cells('teacher (dropout)', l.teacher_errors, h?.teacher_errors, a.teacher_errors),
    cells('student from scratch', l.student_errors, h?.student_errors, a.student_errors),
    cells('student distilled', l.distilled_errors, h?.distilled_errors, a.distilled_errors),
  ];
}

/** The temperatures distilled at, when more than one. */
function sweepTable(l: DistillLine): string[] {
  if (l.temperature_sweep.length < 2) return [];
  const held = l.held_out !== null;
  return [
    '',
    'Distilled student by temperature (the same initial student and shuffles)',
    row(held ? ['T', 'test errors', 'held-out errors'] : ['T', 'test errors']),
    row(held ? ['---', '---', '---'] : ['---', '---']),
    ...l.temperature_sweep.map((t) =>
      row(held ? [t.temperature, t.errors, t.held_out_errors ?? '-'] : [t.temperature, t.errors]),
    ),
  ];
}

/** The omitted-class rows and the dropout ensemble (absent with --main-only and --factorisation-only). */
function extraTables(l: DistillLine): string[] {
  const a = DISTILL_ANCHORS;
  if (l.omitted_errors === null) return [];
  return [
    row([
      `distilled without any ${l.omitted_class} (errors on ${l.omitted_class}s)`,
      `${l.omitted_errors} (${l.omitted_class_errors} of ${l.omitted_class_count})`,
      `${a.omitted_errors} (${a.omitted_class_errors} of 1010, digit 3)`,
    ]),
    row([
      `  + bias of ${l.omitted_class} raised by ${l.bias_shift}`,
      `${l.omitted_bias_errors} (${l.omitted_bias_class_errors}; ${(100 * l.omitted_class_acc!).toFixed(1)}% right)`,
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
  ];
}

/** The factorisation curve of the student from scratch, with the fine-tuned accuracies when there are any. */
function factorisationTable(l: DistillLine): string[] {
  if (l.factorisation.length === 0) return [];
  const tuned = l.factorisation.some((p) => p.accuracy_before_tuning !== null);
  const epochs = l.config.factorEpochs;
  const percent = (v: number | null) => (v === null ? '-' : (100 * v).toFixed(2));
  return [
    '',
    'Factorisation of the student from scratch (every Dense layer): accuracy against size',
    row([
      'method',
      'rank / terms',
      'parameters',
      'compression',
      'weight residual %',
      ...(tuned
        ? ['test accuracy % as factorised', `after ${epochs} epoch${epochs === 1 ? '' : 's'} fine-tuning`]
        : ['test accuracy %']),
    ]),
    row(new Array(tuned ? 7 : 6).fill('---')),
    ...l.factorisation.map((p) =>
      row([
        p.method,
        p.setting || '-',
        p.parameters,
        `${p.compression.toFixed(1)}x`,
        (100 * p.residual).toFixed(1),
        ...(tuned
          ? [
              p.method === 'dense' ? percent(p.accuracy) : percent(p.accuracy_before_tuning),
              percent(p.accuracy),
            ]
          : [percent(p.accuracy)]),
      ]),
    ),
  ];
}

export function distillTables(l: DistillLine): string {
  // the omitted-class rows continue the main table when there is no held-out column
  const extras = extraTables(l);
  const factorisation = factorisationTable(l);
  const lines =
    l.held_out && extras.length > 0
      ? [
          ...mainTable(l),
          ...sweepTable(l),
          '',
          row(['omitted class', 'test errors', 'Hinton et al.']),
          row(['---', '---', '---']),
          ...extras,
          ...factorisation,
        ]
      : [...mainTable(l), ...extras, ...sweepTable(l), ...factorisation];
  return lines.join('\n');
}
