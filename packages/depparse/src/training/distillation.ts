// Knowledge distillation: teachers must read the student's features and predict its transitions;
// their averaged distribution over transitions for every example becomes part of the targets.
import { PrecomputedScorer } from '../fast-path/precompute.js';
import type { Parser } from '../model/parser.js';
import { type Examples, featureRows } from './examples.js';

/** Throws unless `teacher` reads the student's features and predicts its transitions. */
export function checkTeacher(teacher: Parser, student: Parser, i: number): void {
  const a = teacher.config;
  const b = student.config;
  const differs = (what: string, x: unknown, y: unknown) =>
    new Error(`teacher ${i}: ${what} ${JSON.stringify(x)} differs from the student's ${JSON.stringify(y)}`);
  if (a.system !== b.system) throw differs('system', a.system, b.system);
  if ((a.morphology ?? 'xpos') !== (b.morphology ?? 'xpos'))
    throw differs('morphology', a.morphology ?? 'xpos', b.morphology ?? 'xpos');
  if (Boolean(a.pseudoProjective) !== Boolean(b.pseudoProjective))
    throw differs('pseudoProjective', a.pseudoProjective, b.pseudoProjective);
  for (const kind of ['words', 'upos', 'xpos', 'labels'] as const) {
    const x = teacher.vocab[kind].items;
    const y = student.vocab[kind].items;
    if (x.length !== y.length || x.some((v, k) => v !== y[k]))
      throw new Error(
        `teacher ${i}: its ${kind} vocabulary (${x.length}) differs from the student's (${y.length}); ` +
          'train teachers and student on the same data with the same minWordCount, morphology and pretrained vocabulary',
      );
  }
}

/** The teachers' averaged softmax over transitions for every example, [count, T]. */
export function teacherProbabilities(teachers: readonly Parser[], ex: Examples): Float32Array {
  const T = teachers[0]!.transitions.size;
  const out = new Float32Array(ex.count * T);
  const chunk = 4096;
  const share = 1 / teachers.length;
  for (const teacher of teachers) {
    // the precomputed scorer reads the weights only (no dropout), whatever the teacher's mode
    const precomputed = new PrecomputedScorer(teacher.net);
    const score = precomputed.scorer();
    try {
      for (let s = 0; s < ex.count; s += chunk) {
        const rows = Math.min(chunk, ex.count - s);
        const y = score(featureRows(ex.features, s, rows), rows);
        for (let r = 0; r < rows; r++) {
          let max = Number.NEGATIVE_INFINITY;
          for (let k = 0; k < T; k++) max = Math.max(max, y[r * T + k]!);
          let z = 0;
          for (let k = 0; k < T; k++) z += Math.exp(y[r * T + k]! - max);
          const o = (s + r) * T;
          for (let k = 0; k < T; k++) out[o + k]! += (share * Math.exp(y[r * T + k]! - max)) / z;
        }
      }
    } finally {
      precomputed.dispose();
    }
  }
  return out;
}
