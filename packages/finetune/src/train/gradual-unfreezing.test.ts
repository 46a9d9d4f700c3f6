import { BatchNorm, Dense, initBackend, ReLU, Rng, Sequential } from '@lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradualUnfreezing, unfrozenGroupsAt } from './gradual-unfreezing.js';

const build = () =>
  new Sequential([
    new Dense(2, 3, { rng: new Rng(1) }),
    new BatchNorm(3),
    ReLU(),
    new Dense(3, 3, { rng: new Rng(2) }),
    new Dense(3, 2, { rng: new Rng(3) }),
  ]);
const trainable = (m: Sequential) => Object.keys(m.trainableParameters());

describe('unfrozenGroupsAt', () => {
  it('is 1 + floor(epoch / every), capped at the group count', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((e) => unfrozenGroupsAt(e, 2, 3))).toEqual([1, 1, 2, 2, 3, 3, 3]);
    expect(unfrozenGroupsAt(0, 1, 1)).toBe(1);
  });
});

describe('gradualUnfreezing', () => {
  let model: Sequential;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', fallback: false });
    model = build();
  });
  afterAll(() => model.dispose());

  it('trains the top group first and unfreezes one group down every `every` epochs, never refreezing', () => {
    const groups = [['0', '1'], ['3'], ['4']];
    const hook = gradualUnfreezing(model, groups, { every: 2 });
    expect(hook.unfrozen).toBe(1);
    expect(trainable(model)).toEqual(['4.weight', '4.bias']);
    // frozen BatchNorm runs in inference mode by default
    expect((model.layers[1] as BatchNorm).training).toBe(false);
    hook.beforeEpoch!(1, 10);
    expect(hook.unfrozen).toBe(1);
    hook.beforeEpoch!(2, 10);
    expect(trainable(model)).toEqual(['3.weight', '3.bias', '4.weight', '4.bias']);
    hook.beforeEpoch!(9, 10);
    expect(hook.unfrozen).toBe(3);
    expect(trainable(model)).toHaveLength(8);
    hook.beforeEpoch!(0, 10); // an earlier epoch (a rollback) does not freeze again
    expect(hook.unfrozen).toBe(3);
    expect(trainable(model)).toHaveLength(8);
  });

  it('unfreezes what an earlier freeze left frozen in the top group', () => {
    model.freeze();
    const hook = gradualUnfreezing(model, [['0', '1', '3'], ['4']]);
    expect(trainable(model)).toEqual(['4.weight', '4.bias']);
    hook.beforeEpoch!(1, 1);
    expect(trainable(model)).toHaveLength(8);
  });

  it('with everySteps unfreezes by steps within one epoch, and ignores epochs', () => {
    const fresh = build();
    try {
      const hook = gradualUnfreezing(fresh, [['0', '1'], ['3'], ['4']], { everySteps: 3 });
      const step = () => hook.afterStep!({} as never);
      hook.beforeEpoch!(0, 100);
      expect(hook.unfrozen).toBe(1);
      step();
      step();
      expect(trainable(fresh)).toEqual(['4.weight', '4.bias']);
      step(); // 3 steps: one more group
      expect(trainable(fresh)).toEqual(['3.weight', '3.bias', '4.weight', '4.bias']);
      hook.beforeEpoch!(5, 100); // epochs do not unfreeze when stepping by steps
      expect(hook.unfrozen).toBe(2);
      for (let i = 0; i < 3; i++) step();
      expect(hook.unfrozen).toBe(3);
      expect(trainable(fresh)).toHaveLength(8);
    } finally {
      fresh.dispose();
    }
  });

  it('refuses a bad interval or no groups', () => {
    for (const everySteps of [0, 2.5])
      expect(() => gradualUnfreezing(model, [['4']], { everySteps })).toThrow(
        `gradualUnfreezing: everySteps must be a whole number >= 1, got ${everySteps}`,
      );
    for (const every of [0, 1.5, -1, Number.NaN])
      expect(() => gradualUnfreezing(model, [['4']], { every })).toThrow(
        `gradualUnfreezing: every must be a whole number >= 1, got ${every}`,
      );
    expect(() => gradualUnfreezing(model, [])).toThrow('gradualUnfreezing: no layer groups');
  });
});
