import { initBackend } from '@lab/core';
import { dispose, grad, type Tensor, tensor1d, tensor2d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { distillationLoss } from './loss.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

// a float64 reference written out from the definitions
const softmax64 = (row: number[], t: number) => {
  const z = row.map((v) => v / t);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
function reference(
  s: number[][],
  p: number[][],
  y: number[],
  T: number,
  softWeight: number,
  hardWeight: number,
) {
  let soft = 0;
  let hard = 0;
  s.forEach((row, i) => {
    const q = softmax64(row, T);
    soft -= p[i]!.reduce((a, pi, c) => a + pi * Math.log(q[c]!), 0);
    hard -= Math.log(softmax64(row, 1)[y[i]!]!);
  });
  soft /= s.length;
  hard /= s.length;
  return { soft, hard, total: softWeight * T * T * soft + hardWeight * hard };
}

const student = [
  [2.0, -1.0, 0.5],
  [0.1, 0.3, -2.0],
];
const teacherLogits = [
  [3.0, 0.0, 1.0],
  [-1.0, 2.0, 0.0],
];
const labels = [0, 1];
const T = 4;
const teacher = teacherLogits.map((r) => softmax64(r, T));

describe('distillationLoss', () => {
  it('matches a hand computation of T^2-weighted soft and hard cross-entropies', () => {
    // by hand for row 0: q = softmax([0.5, -0.25, 0.125]) ...; the reference spells the formula out
    const want = reference(student, teacher, labels, T, 0.7, 0.3);
    const got = distillationLoss(tensor2d(student), tensor2d(teacher), tensor1d(labels, 'int32'), {
      temperature: T,
      softWeight: 0.7,
      hardWeight: 0.3,
    });
    expect(got.soft.dataSync()[0]).toBeCloseTo(want.soft, 5);
    expect(got.hard.dataSync()[0]).toBeCloseTo(want.hard, 5);
    expect(got.total.dataSync()[0]).toBeCloseTo(want.total, 4);
    // a number worked by hand: one row, T = 1, teacher one-hot on class 0, logits [0, 0] -> ln 2
    const one = distillationLoss(tensor2d([[0, 0]]), tensor2d([[1, 0]]), undefined, {
      temperature: 1,
      softWeight: 1,
    });
    expect(one.total.dataSync()[0]).toBeCloseTo(Math.LN2, 6);
    expect(one.hard.dataSync()[0]).toBe(0);
  });

  it("'kl' is the cross-entropy minus the teacher's entropy", () => {
    const o = { temperature: T, softWeight: 1, hardWeight: 0 };
    const ce = distillationLoss(tensor2d(student), tensor2d(teacher), undefined, o);
    const kl = distillationLoss(tensor2d(student), tensor2d(teacher), undefined, { ...o, soft: 'kl' });
    const entropy =
      teacher.reduce((a, p) => a - p.reduce((b, pi) => b + pi * Math.log(pi), 0), 0) / teacher.length;
    expect(kl.soft.dataSync()[0]).toBeCloseTo(ce.soft.dataSync()[0]! - entropy, 5);
    // KL of a distribution with itself is zero, also with zeros in it
    const same = distillationLoss(tensor2d([[0, -200]]), tensor2d([[1, 0]]), undefined, {
      temperature: 1,
      soft: 'kl',
    });
    expect(Math.abs(same.soft.dataSync()[0]!)).toBeLessThan(1e-6);
  });

  it('has the gradient that finite differences of the float64 reference give, with soft part T (q - p) / n', () => {
    const o = { temperature: T, softWeight: 0.6, hardWeight: 0.4 };
    const p = tensor2d(teacher);
    const y = tensor1d(labels, 'int32');
    const g = grad((s: Tensor) => distillationLoss(s, p, y, o).total)(
      tensor2d(student),
    ).arraySync() as number[][];
    const h = 1e-6;
    student.forEach((row, i) => {
      row.forEach((_, c) => {
        const plus = student.map((r) => [...r]);
        const minus = student.map((r) => [...r]);
        plus[i]![c]! += h;
        minus[i]![c]! -= h;
        const fd =
          (reference(plus, teacher, labels, T, 0.6, 0.4).total -
            reference(minus, teacher, labels, T, 0.6, 0.4).total) /
          (2 * h);
        expect(g[i]![c]).toBeCloseTo(fd, 4);
        // analytic: softWeight T^2 (1/T)(q - p)/n + hardWeight (softmax(s) - onehot)/n
        const q = softmax64(row, T)[c]!;
        const q1 = softmax64(row, 1)[c]! - (labels[i] === c ? 1 : 0);
        expect(g[i]![c]).toBeCloseTo((0.6 * T * (q - teacher[i]![c]!) + 0.4 * q1) / student.length, 5);
      });
    });
    dispose([p, y]);
  });

  it('rejects bad options and shapes', () => {
    const s = tensor2d(student);
    const p = tensor2d(teacher);
    expect(() => distillationLoss(s, p, undefined, { temperature: 0 })).toThrow(/temperature/);
    expect(() => distillationLoss(s, p, undefined, { temperature: 1, softWeight: -1 })).toThrow(/softWeight/);
    expect(() => distillationLoss(s, p, undefined, { temperature: 1, soft: 'mse' as never })).toThrow(
      /soft must/,
    );
    expect(() => distillationLoss(s, tensor2d([[1, 0]]), undefined, { temperature: 1 })).toThrow(/same/);
    expect(() => distillationLoss(s, p, tensor1d([1], 'int32'), { temperature: 1 })).toThrow(/labels/);
  });
});
