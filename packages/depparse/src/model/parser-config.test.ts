import { describe, expect, it } from 'vitest';
import { ModelFileError } from './model-files.js';
import { readParserConfig } from './parser-config.js';

const good = {
  system: 'arc-hybrid',
  pseudoProjective: true,
  morphology: 'xpos',
  net: {
    wordDim: 8,
    tagDim: 4,
    labelDim: 4,
    extraDim: 4,
    hidden: [16, 8],
    activation: 'cube',
    activation2: 'relu',
    dropout: 0.5,
    context: { dim: 8, layers: 2, width: 5, channels: 16, positions: 4, dropout: 0.1 },
    words: 100,
    upos: 20,
    xpos: 40,
    labels: 10,
    transitions: 19,
  },
};

/** `good` with `net[key]` replaced. */
function withNet(key: string, value: unknown): unknown {
  return { ...good, net: { ...good.net, [key]: value } };
}

function refusal(json: unknown): ModelFileError {
  try {
    readParserConfig(json, 'weights.safetensors', 'config');
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return e as ModelFileError;
  }
  throw new Error('expected a ModelFileError');
}

describe('readParserConfig', () => {
  it('reads a valid config as it is, optional fields included or left out', () => {
    expect(readParserConfig(good)).toEqual(good);
    const { morphology: _, ...plain } = good;
    const { activation2: __, context: ___, ...net } = good.net;
    expect(readParserConfig({ ...plain, net: { ...net, hidden: [16] } })).toEqual({
      ...plain,
      net: { ...net, hidden: [16] },
    });
  });

  it('names the file and the field of what it refuses', () => {
    expect(String(refusal(withNet('hidden', [16, 8, 4])))).toMatch(
      /weights\.safetensors.*hidden.*one or two/,
    );
    expect(String(refusal(withNet('hidden', [0])))).toMatch(/hidden\[0\]/);
    expect(String(refusal(withNet('wordDim', 1e9)))).toMatch(/wordDim/);
    expect(String(refusal(withNet('labels', 3)))).toMatch(/labels/);
    expect(String(refusal(withNet('activation', 'sigmoid')))).toMatch(/activation/);
    expect(String(refusal(withNet('context', { ...good.net.context, width: 4 })))).toMatch(/width.*odd/);
    expect(String(refusal(withNet('surprise', 1)))).toMatch(/surprise/);
    expect(String(refusal({ ...good, system: 'constructor' }))).toMatch(/system/);
    expect(String(refusal({ ...good, net: null }))).toMatch(/net/);
    expect(String(refusal(null))).toMatch(/weights\.safetensors/);
  });
});
