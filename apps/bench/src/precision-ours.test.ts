// Our side of the precision bench on tiny ops, against values worked out here in float64: forward,
// the vector-Jacobian products with the handed-over dy, Adam's update; missing inputs are named; no
// tensor is left behind.
import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpSpec } from './precision-ops.js';
import { type OpInputs, runOurs } from './precision-ours.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const close = (got: ArrayLike<number>, want: number[], tol = 1e-5) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    expect(Math.abs(got[i]! - w), `entry ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(tol);
  });
};

/** Runs `spec` on tensors made from `values` and checks that nothing stays behind. */
function run(spec: OpSpec, values: Record<string, [number[], number[]]>) {
  const inputs: OpInputs = {};
  for (const [k, [data, shape]] of Object.entries(values)) inputs[k] = tf.tensor(data, shape);
  const before = tf.memory().numTensors;
  const out = runOurs(spec, inputs);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose(Object.values(inputs));
  return out;
}

describe('runOurs', () => {
  it('dense: y = x W + b, dx = dy W^T, dW = x^T dy, db = column sums of dy', () => {
    const x = [1, 2, 3, -1, 0, 2]; // [2, 3]
    const w = [1, 0, 0, 1, 2, -1]; // [3, 2]
    const b = [0.5, -0.5];
    const dy = [1, 2, -1, 0.5]; // [2, 2]
    const out = run(
      { op: 'dense t', kind: 'dense', x: [2, 3], w: [3, 2], bias: true },
      { x: [x, [2, 3]], w: [w, [3, 2]], b: [b, [2]], dy: [dy, [2, 2]] },
    );
    // x W: [1 + 6, 2 - 3] = [7, -1]; [-1 + 4, 0 - 2] = [3, -2]
    close(out.forward!, [7.5, -1.5, 3.5, -2.5]);
    // dy W^T: row (1, 2) -> [1, 2, 0]; row (-1, 0.5) -> [-1, 0.5, -2.5]
    close(out['backward.x']!, [1, 2, 0, -1, 0.5, -2.5]);
    // x^T dy: [1*1 + -1*-1, 1*2 + -1*0.5; 2*1 + 0, 2*2 + 0; 3*1 + 2*-1, 3*2 + 2*0.5]
    close(out['backward.w']!, [2, 1.5, 2, 4, 1, 7]);
    close(out['backward.b']!, [0, 2.5]);
  });

  it('leakyRelu and dropout: the forward values and dx = dy times the local slope', () => {
    const x = [-2, -0.5, 0.5, 3];
    const dy = [1, 2, 3, 4];
    const lr = run({ op: 'lr', kind: 'leakyRelu', x: [4], alpha: 0.2 }, { x: [x, [4]], dy: [dy, [4]] });
    close(lr.forward!, [-0.4, -0.1, 0.5, 3]);
    close(lr['backward.x']!, [0.2, 0.4, 3, 4]);
    const keep = [1, 0, 1, 1];
    const dr = run(
      { op: 'do', kind: 'dropout', x: [4], rate: 0.5 },
      { x: [x, [4]], dy: [dy, [4]], keep: [keep, [4]] },
    );
    close(dr.forward!, [-4, 0, 1, 6]);
    close(dr['backward.x']!, [2, 0, 6, 8]);
  });

  it("adam: the update over the steps matches PyTorch's Adam worked in float64", () => {
    const p0 = [0.01, -0.02, 0.03];
    const grads = [0.1, -0.2, 0.3, 0.05, 0.0, -0.1, -0.3, 0.2, 0.1]; // [3 steps, 3]
    const spec = {
      op: 'adam t',
      kind: 'adam' as const,
      param: [3],
      lr: 1e-3,
      b1: 0.5,
      b2: 0.9,
      eps: 1e-8,
      steps: 3,
    };
    const out = run(spec, { param: [p0, [3]], grads: [grads, [3, 3]] });
    const want = p0.map((_, i) => {
      let [m, v, update] = [0, 0, 0];
      for (let t = 1; t <= 3; t++) {
        const g = grads[(t - 1) * 3 + i]!;
        m = spec.b1 * m + (1 - spec.b1) * g;
        v = spec.b2 * v + (1 - spec.b2) * g * g;
        update -= (spec.lr * (m / (1 - spec.b1 ** t))) / (Math.sqrt(v / (1 - spec.b2 ** t)) + spec.eps);
      }
      return update;
    });
    close(out.update!, want, 1e-8);
    expect(out.update).toBeInstanceOf(Float64Array);
  });

  it('names the op and the missing input', () => {
    const spec: OpSpec = { op: 'dense G.fc', kind: 'dense', x: [1, 2], w: [2, 1], bias: false };
    const x = tf.tensor2d([[1, 2]]);
    expect(() => runOurs(spec, { x })).toThrow("precision: op 'dense G.fc' has no input 'w' from the peer");
    x.dispose();
  });
});
