import {
  adam,
  Dense,
  gradientStep,
  initBackend,
  Optimizer,
  ReLU,
  Rng,
  runTrainingLoop,
  Sequential,
  sgd,
  valueAndGrads,
} from '@lab/core';
import {
  dispose,
  mean,
  memory,
  type Scalar,
  square,
  type Tensor,
  tensor2d,
  tidy,
} from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerwiseLearningRates } from '../layerwise.js';
import { gradualUnfreezing, unfrozenGroupsAt } from './gradual-unfreezing.js';
import { discriminativeTransform } from './grouped-transform.js';
import { groupOfParameter, layerGroups } from './layer-groups.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

const net = () =>
  new Sequential([
    new Dense(3, 4, { rng: new Rng(1) }),
    ReLU(),
    new Dense(4, 4, { rng: new Rng(2) }),
    ReLU(),
    new Dense(4, 2, { rng: new Rng(3) }),
  ]);
let x: Tensor;
beforeAll(() => {
  x = tensor2d([
    [1, -2, 0.5],
    [0.3, 0.1, -1],
    [2, 1, 1],
  ]);
});
afterAll(() => x.dispose());
const loss = (m: Sequential) => () => tidy(() => mean(square(m.forward(x))) as Scalar);
const snapshot = (m: Sequential) =>
  Object.fromEntries(Object.entries(m.parameters()).map(([k, v]) => [k, Array.from(v.dataSync())]));
const changed = (a: Record<string, number[]>, b: Record<string, number[]>) =>
  Object.keys(a).filter((k) => a[k]!.some((v, i) => v !== b[k]![i]));

describe('layerGroups', () => {
  it('defaults to one group per parameterised layer and checks given groups', () => {
    const m = net();
    expect(layerGroups(m)).toEqual([['0'], ['2'], ['4']]);
    expect(groupOfParameter([['0', '2'], ['4']])('2.bias')).toBe('0');
    expect(() => layerGroups(m, [['0'], ['4']])).toThrow(/'2.weight' is in no layer group/);
    expect(() => layerGroups(m, [['0', '2'], ['9']])).toThrow(/names '9'/);
    expect(() => layerGroups(m, [['0', '2', '4'], ['4']])).toThrow(/both hold/);
    m.dispose();
  });
});

describe('discriminativeTransform', () => {
  it("scales each group's update by its own rate", () => {
    const m = net();
    const groups = layerGroups(m);
    const rates = layerwiseLearningRates(0.1, 3, 0.5); // 0.025, 0.05, 0.1
    const vars = m.parameters();
    const { value, grads } = valueAndGrads(loss(m), vars);
    const g = Object.fromEntries(Object.entries(grads).map(([k, t]) => [k, Array.from(t.dataSync())]));
    dispose([value, ...Object.values(grads)]);
    const before = snapshot(m);
    const opt = new Optimizer(
      discriminativeTransform(groups, rates, (lr) => sgd(lr)),
      vars,
    );
    gradientStep(opt, vars, loss(m));
    const after = snapshot(m);
    const rateOf = groupOfParameter(groups);
    for (const k of Object.keys(vars)) {
      const rate = rates[Number(rateOf(k))]!;
      after[k]!.forEach((v, i) => {
        expect(v - before[k]![i]!).toBeCloseTo(-rate * g[k]![i]!, 6);
      });
    }
    expect(() => discriminativeTransform(groups, [0.1], sgd)).toThrow(/3 groups but 1 rates/);
    expect(() => discriminativeTransform(groups, [0.1, Number.NaN, 1], sgd)).toThrow(/rate 1/);
    opt.dispose();
    m.dispose();
  });

  it('refuses a group that is only partly frozen', () => {
    const m = net();
    const vars = m.parameters();
    const opt = new Optimizer(discriminativeTransform(layerGroups(m), [1, 1, 1], sgd), vars);
    vars['2.bias']!.trainable = false;
    expect(() => gradientStep(opt, m.trainableParameters(), loss(m))).toThrow(
      /group 1 is partly frozen.*2\.bias/,
    );
    opt.dispose();
    m.dispose();
  });
});

describe('gradualUnfreezing', () => {
  it('unfreezes one group per epoch from the top; the optimizer keeps the state of groups already training', () => {
    expect([0, 1, 2, 3, 7].map((e) => unfrozenGroupsAt(e, 2, 3))).toEqual([1, 1, 2, 2, 3]);
    const m = net();
    const groups = layerGroups(m);
    const plan = gradualUnfreezing(m, groups);
    expect(Object.keys(m.trainableParameters())).toEqual(['4.weight', '4.bias']);
    const opt = new Optimizer(
      discriminativeTransform(groups, layerwiseLearningRates(0.01, 3), (lr) => adam(lr)),
      m.parameters(),
    );
    const tensors = memory().numTensors;
    const perEpoch: string[][] = [];
    let start: Record<string, number[]> = {};
    runTrainingLoop({
      epochs: 4,
      stepsPerEpoch: 2,
      hooks: [
        plan,
        {
          beforeEpoch: () => {
            start = snapshot(m);
          },
          afterEpoch: () => void perEpoch.push(changed(start, snapshot(m))),
        },
      ],
      trainStep: () => ({ loss: gradientStep(opt, m.trainableParameters(), loss(m)) }),
    });
    expect(perEpoch).toEqual([
      ['4.weight', '4.bias'],
      ['2.weight', '2.bias', '4.weight', '4.bias'],
      ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias'],
      ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias'],
    ]);
    expect(plan.unfrozen).toBe(3);
    // Adam's step counts: the top group trained all 8 steps, the next 6, the bottom 4
    const state = opt.getState() as Record<string, [{ count: number }, unknown]>;
    expect([state['0']![0].count, state['1']![0].count, state['2']![0].count]).toEqual([4, 6, 8]);
    expect(memory().numTensors).toBe(tensors);
    opt.dispose();
    m.dispose();
  });

  it('refuses a bad interval', () => {
    const m = net();
    expect(() => gradualUnfreezing(m, layerGroups(m), { every: 0 })).toThrow(/every/);
    m.dispose();
  });
});
