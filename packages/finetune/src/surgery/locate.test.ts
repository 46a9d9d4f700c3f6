import { Dense, initBackend, Module, ReLU, Rng, Sequential } from '@lab/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SurgeryError } from './errors.js';
import { locateLayer } from './locate.js';

class Wrapper extends Module {
  readonly dense: Dense;
  constructor() {
    super('wrapper');
    this.dense = this.addModule('dense', new Dense(2, 2, { name: 'hidden', rng: new Rng(2) }));
  }
  forward(x: Tensor): Tensor {
    return this.dense.forward(x);
  }
}

const buildModel = () =>
  new Sequential([
    new Sequential([new Dense(2, 2, { name: 'fc', rng: new Rng(1) }), ReLU()], 'block'),
    new Wrapper(),
    ReLU(),
    new Dense(2, 3, { name: 'out', rng: new Rng(3) }),
  ]);

function refusal(fn: () => unknown): SurgeryError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SurgeryError);
    return e as SurgeryError;
  }
  throw new Error('expected a SurgeryError');
}

describe('locateLayer', () => {
  let model: Sequential;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', fallback: false });
    model = buildModel();
  });
  afterAll(() => model.dispose());

  it('by dotted path through Sequentials, and by a unique module name', () => {
    expect(locateLayer(model, '0.1')).toMatchObject({ indices: [0, 1], path: '0.1' });
    expect(locateLayer(model, '3').module.name).toBe('out');
    expect(locateLayer(model, 'fc')).toMatchObject({ indices: [0, 0], path: '0.0' });
    expect(locateLayer(model, 'block')).toMatchObject({ indices: [0], path: '0' });
  });

  it('a path wins over a name; an ambiguous name lists its paths', () => {
    // 'relu' names '0.1' and '2'
    const e = refusal(() => locateLayer(model, 'relu'));
    expect(e.message).toBe("at: 'relu' names 2 layers (0.1, 2); give a path");
  });

  it('refuses unknown layers (listing the top level), empty refs and paths inside other modules', () => {
    expect(refusal(() => locateLayer(model, '7', 'cutAt')).message).toBe(
      "cutAt: no layer '7' (top-level layers: 0 (block), 1 (wrapper), 2 (relu), 3 (out))",
    );
    expect(refusal(() => locateLayer(model, '')).where).toBe('at');
    expect(refusal(() => locateLayer(model, undefined as unknown as string)).message).toBe(
      'at: must be a layer path or name',
    );
    for (const ref of ['hidden', '1.dense']) {
      expect(refusal(() => locateLayer(model, ref)).message).toBe(
        "at: '1.dense' lies inside a module that is not a Sequential; cut at that module instead",
      );
    }
  });
});
