import { mlp } from '@lab/compress';
import { initBackend, ModelFileError } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MLP_KIND, mlpBytes, mlpFromBytes, validateMlpConfig } from './compress-distil-model.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('the distil model file', () => {
  it('reads back the sizes, dropout rates and weights it wrote', () => {
    const config = { sizes: [6, 5, 3], inputDropout: 0.2, hiddenDropout: 0.5 };
    const model = mlp(config.sizes, config);
    const bytes = mlpBytes(model, config, { 'lab.testErrors': '12' });
    const back = mlpFromBytes(bytes);
    expect(back.config).toEqual(config);
    const weights = (m: typeof model) =>
      Object.entries(m.parameters()).map(([k, v]) => [k, Array.from(v.dataSync())]);
    expect(weights(back.model)).toEqual(weights(model));
    // dropout where the config says: input dropout first, then Dense, ReLU, Dropout, Dense
    expect(back.model.layers.map((l) => l.constructor.name)).toEqual([
      'Dropout',
      'Dense',
      'Lambda',
      'Dropout',
      'Dense',
    ]);
    expect(MLP_KIND).toEqual({ kind: 'compress.mlp', version: 1 });
    model.dispose();
    back.model.dispose();
  });

  it('fills in absent dropout rates with 0 and names the field of every bad config', () => {
    expect(validateMlpConfig({ sizes: [4, 2] })).toEqual({
      sizes: [4, 2],
      inputDropout: 0,
      hiddenDropout: 0,
    });
    const refusal = (raw: unknown) => {
      try {
        validateMlpConfig(raw);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFileError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal({ sizes: 'wide' })).toMatch(/config\.sizes/);
    expect(refusal({ sizes: new Array(65).fill(2) })).toMatch(/config\.sizes.*2 to 64/);
    expect(refusal({ sizes: [4, 2.5] })).toMatch(/config\.sizes\.1/);
    expect(refusal({ sizes: [4, 2], hiddenDropout: 1 })).toMatch(/hiddenDropout/);
    expect(refusal({ sizes: [4, 2], inputDropout: -0.1 })).toMatch(/inputDropout/);
  });

  it('refuses bytes that are not a module file, or another kind of module', () => {
    expect(() => mlpFromBytes(new TextEncoder().encode('not a model'))).toThrow();
    const config = { sizes: [3, 2], inputDropout: 0, hiddenDropout: 0 };
    const model = mlp(config.sizes);
    const bytes = mlpBytes(model, config, {});
    // truncated: the header promises more than there is
    expect(() => mlpFromBytes(bytes.subarray(0, bytes.length - 4))).toThrow();
    model.dispose();
  });
});
