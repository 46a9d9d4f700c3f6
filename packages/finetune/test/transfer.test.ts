// The pieces compose: PyTorch weights in, a new head keeping two classes, the body frozen with its
// BatchNorm held in inference mode, then training steps on @lab/core's optimizer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BatchNorm,
  Conv2d,
  Dense,
  Flatten,
  initBackend,
  Optimizer,
  ReLU,
  Rng,
  Sequential,
  sgd,
  valueAndGrads,
} from '@lab/core';
import {
  dispose,
  log,
  memory,
  neg,
  randomNormal,
  type Scalar,
  slice,
  softmax,
  sum,
  tidy,
} from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { freezeTo, isHeldInInference, loadSafetensors, outputShape, replaceHead } from '../src/index.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

it('load torch weights, replace the head keeping shared classes, freeze the body, train the head', () => {
  const net = new Sequential([
    new Conv2d(3, 4, 3, { padding: 1 }),
    new BatchNorm(4),
    ReLU(),
    new Conv2d(4, 6, 3, { stride: 2, padding: 1 }),
    ReLU(),
    Flatten(),
    new Dense(96, 5),
  ]);
  loadSafetensors(net, readFileSync(join(import.meta.dirname, 'fixtures', 'torch_convnet.safetensors')), {
    flattenedFrom: { '6': [6, 4, 4] },
  });
  const { model, head, oldHead } = replaceHead(net, 3, {
    keepClasses: [
      [0, 0],
      [3, 1],
    ],
    rng: new Rng(1),
  });
  const oldLogits = oldHead.weight.dataSync().slice();
  oldHead.dispose();
  const frozen = freezeTo(model, -1);
  expect(frozen.batchNorms).toEqual([{ path: '1', mode: 'inference' }]);
  expect(Object.keys(model.trainableParameters())).toEqual(['6.weight', '6.bias']);
  expect(outputShape(model, [8, 8, 3])).toEqual([1, 3]);
  expect(isHeldInInference(model.layers[1] as BatchNorm)).toBe(true);

  const body = Object.entries(model.stateDict())
    .filter(([k]) => !k.startsWith('6.'))
    .map(([k, v]) => [k, v.dataSync().slice()] as const);
  const opt = new Optimizer(sgd(0.5), model.trainableParameters());
  const x = randomNormal([8, 8, 8, 3], 0, 1, 'float32', 3);
  const loss = () =>
    tidy(() => {
      // cross-entropy towards class 2, the new class
      const p = softmax(model.forward(x));
      return neg(sum(log(slice(p, [0, 2], [-1, 1])))) as Scalar;
    });
  model.train();
  const first = loss();
  const start = memory().numTensors;
  for (let step = 0; step < 5; step++) {
    const { value, grads } = valueAndGrads(loss, model.trainableParameters());
    opt.step(grads);
    dispose([value, ...Object.values(grads)]);
  }
  expect(memory().numTensors).toBe(start);
  const last = loss();
  expect(last.dataSync()[0]).toBeLessThan(first.dataSync()[0]!);
  for (const [k, before] of body) expect(model.stateDict()[k]!.dataSync()).toEqual(before);
  expect(head.weight.dataSync()[0]).not.toBe(oldLogits[0]); // the kept column trained on
  dispose([x, first, last]);
  model.dispose();
  opt.dispose();
});
