import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm, Dense, Sequential } from '../nn/layers.js';
import { Rng } from '../random/rng.js';
import { initBackend } from '../runtime/init.js';
import { choiceField, configObject, integerField, numberField } from './config-fields.js';
import { ModelFileError } from './model-file-error.js';
import { loadModule, MODULE_HEADER_KEY, saveModule } from './module-file.js';
import { parseSafetensors, serializeSafetensors, type TensorEntry } from './safetensors.js';

interface MlpConfig {
  inputs: number;
  hidden: number;
  norm: 'none' | 'batch';
}

function validateConfig(raw: unknown): MlpConfig {
  const c = configObject(raw);
  return {
    inputs: integerField(c, 'inputs', { min: 1, max: 4096 }),
    hidden: integerField(c, 'hidden', { min: 1, max: 4096 }),
    norm: choiceField(c, 'norm', ['none', 'batch'] as const, { default: 'none' }),
  };
}

function mlp(c: MlpConfig, seed = 0): Sequential {
  const rng = new Rng(seed);
  const layers =
    c.norm === 'batch'
      ? [new Dense(c.inputs, c.hidden, { rng }), new BatchNorm(c.hidden), new Dense(c.hidden, 2, { rng })]
      : [new Dense(c.inputs, c.hidden, { rng }), new Dense(c.hidden, 2, { rng })];
  return new Sequential(layers, 'mlp');
}

const KIND = { kind: 'test.mlp', version: 2 };
const spec = (build = (c: MlpConfig) => mlp(c, 99)) => ({
  kind: 'test.mlp',
  version: 2,
  validateConfig,
  build,
});

const values = (m: Sequential) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v.dataSync())]));

/** The file's bytes with its tensors edited (header kept). */
function editTensors(bytes: Uint8Array, edit: (t: Record<string, TensorEntry>) => void): Uint8Array {
  const { tensors, metadata } = parseSafetensors(bytes);
  const entries: Record<string, TensorEntry> = Object.fromEntries(
    Object.entries(tensors).map(([k, t]) => [
      k,
      { dtype: t.dtype, shape: t.shape, data: new Float32Array(new Uint8Array(t.bytes).buffer) },
    ]),
  );
  edit(entries);
  return serializeSafetensors(entries, metadata);
}

/** The file's bytes with its header replaced (or removed, with undefined). */
function withHeader(bytes: Uint8Array, header: string | undefined): Uint8Array {
  const { tensors, metadata } = parseSafetensors(bytes);
  const entries = Object.fromEntries(
    Object.entries(tensors).map(([k, t]) => [
      k,
      { dtype: t.dtype, shape: t.shape, data: new Float32Array(new Uint8Array(t.bytes).buffer) },
    ]),
  );
  const { [MODULE_HEADER_KEY]: _, ...rest } = metadata;
  return serializeSafetensors(
    entries,
    header === undefined ? rest : { ...rest, [MODULE_HEADER_KEY]: header },
  );
}

describe('saveModule / loadModule', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('round-trips weights, buffers, config and provenance exactly (float16 on request)', () => {
    const config: MlpConfig = { inputs: 3, hidden: 5, norm: 'batch' };
    const m = mlp(config, 1);
    const bytes = saveModule(m, config, KIND, { metadata: { trainedOn: 'toy' } });
    const before = tf.memory().numTensors;
    const loaded = loadModule(bytes, spec());
    expect(loaded.config).toEqual(config);
    expect(loaded.version).toBe(2);
    expect(loaded.metadata).toEqual({ trainedOn: 'toy' });
    expect(values(loaded.module)).toEqual(values(m));
    expect(tf.memory().numTensors).toBe(before + Object.keys(m.stateDict()).length);
    const half = loadModule(saveModule(m, config, KIND, { half: true }), spec());
    const w = m.stateDict()['0.weight']!.dataSync();
    const h = half.module.stateDict()['0.weight']!.dataSync();
    w.forEach((x, i) => {
      expect(Math.abs(h[i]! - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -10);
    });
    for (const x of [m, loaded.module, half.module]) x.dispose();
  });
  it('validates the config before building, naming the field', () => {
    const m = mlp({ inputs: 3, hidden: 5, norm: 'none' });
    let built = 0;
    const counting = spec((c) => {
      built++;
      return mlp(c);
    });
    const cases: [unknown, RegExp][] = [
      [{ inputs: 3, hidden: 1e9, norm: 'none' }, /^config\.hidden: must be in \[1, 4096\], got 1000000000$/],
      [{ inputs: '3', hidden: 5 }, /^config\.inputs: must be a whole number, got "3"$/],
      [{ inputs: 3, hidden: 5, norm: 'layer' }, /^config\.norm: must be one of none, batch, got "layer"$/],
      [[3, 5], /^config: must be a JSON object, got an array$/],
      [null, /^config: must be a JSON object, got null$/],
    ];
    for (const [config, message] of cases) {
      const bytes = saveModule(m, config, KIND);
      expect(() => loadModule(bytes, counting)).toThrow(message);
      expect(() => loadModule(bytes, counting)).toThrow(ModelFileError);
    }
    expect(built).toBe(0);
    m.dispose();
  });
  it('rejects another kind, an unknown version and a malformed header, naming the field', () => {
    const config: MlpConfig = { inputs: 2, hidden: 2, norm: 'none' };
    const m = mlp(config);
    const bytes = saveModule(m, config, KIND);
    expect(() => loadModule(bytes, { ...spec(), kind: 'test.other' })).toThrow(
      /^lab\.module\.kind: is "test\.mlp", expected 'test\.other'$/,
    );
    expect(() => loadModule(bytes, { ...spec(), version: 1 })).toThrow(
      /^lab\.module\.version: is 2; this reader knows versions 1 to 1$/,
    );
    expect(() => loadModule(withHeader(bytes, '{"kind":'), spec())).toThrow(/^lab\.module: is not JSON$/);
    expect(() =>
      loadModule(withHeader(bytes, '{"kind":"test.mlp","version":1.5,"config":{}}'), spec()),
    ).toThrow(/lab\.module\.version: is 1\.5/);
    expect(() => loadModule(withHeader(bytes, '{"kind":"test.mlp","version":1}'), spec())).toThrow(
      /^lab\.module\.config: is missing$/,
    );
    expect(() => loadModule(withHeader(bytes, undefined), spec())).toThrow(
      /^lab\.module: is missing: not a 'test\.mlp' model file$/,
    );
    m.dispose();
  });
  it('rejects missing, unexpected, misshapen and mistyped tensors without leaking the module it built', () => {
    const config: MlpConfig = { inputs: 2, hidden: 3, norm: 'none' };
    const m = mlp(config);
    const bytes = saveModule(m, config, KIND);
    const before = tf.memory().numTensors;
    const cases: [(t: Record<string, TensorEntry>) => void, RegExp][] = [
      [(t) => delete t['1.bias'], /^tensor '1\.bias': is missing$/],
      [(t) => (t['2.weight'] = t['1.weight']!), /^tensor '2\.weight': is not part of the model$/],
      [
        (t) => (t['0.weight'] = { dtype: 'F32', shape: [3, 3], data: new Float32Array(9) }),
        /^tensor '0\.weight': has shape \[3, 3\], the model \[2, 3\]$/,
      ],
      [
        (t) => (t['1.bias'] = { dtype: 'I32', shape: [2], data: new Int32Array(2) }),
        /^tensor '1\.bias': is I32, the model holds float32$/,
      ],
    ];
    for (const [edit, message] of cases) {
      expect(() => loadModule(editTensors(bytes, edit), spec())).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
    }
    m.dispose();
  });
  it('reads files from before the header through legacyConfig', () => {
    const config: MlpConfig = { inputs: 4, hidden: 6, norm: 'none' };
    const m = mlp(config, 5);
    const old = withHeader(saveModule(m, config, KIND, { metadata: { note: 'old' } }), undefined);
    const loaded = loadModule(old, {
      ...spec(),
      legacyConfig: ({ tensors }) => ({
        inputs: tensors['0.weight']!.shape[0],
        hidden: tensors['0.weight']!.shape[1],
      }),
    });
    expect(loaded.version).toBe(0);
    expect(loaded.config).toEqual(config);
    expect(loaded.metadata).toEqual({ note: 'old' });
    expect(values(loaded.module)).toEqual(values(m));
    m.dispose();
    loaded.module.dispose();
  });
  it('refuses to overwrite the header with metadata and numbers must be finite', () => {
    const m = mlp({ inputs: 1, hidden: 1, norm: 'none' });
    expect(() => saveModule(m, {}, KIND, { metadata: { [MODULE_HEADER_KEY]: 'x' } })).toThrow(/reserved key/);
    expect(() => saveModule(m, {}, { kind: 'k', version: 0 })).toThrow(/version must be a whole number >= 1/);
    expect(() => numberField({ lr: null }, 'lr')).toThrow(/^config\.lr: must be a finite number, got null$/);
    expect(numberField({}, 'lr', { default: 0.1 })).toBe(0.1);
    m.dispose();
  });
  it('with a file name: names it in every error, a cut container included', () => {
    const config: MlpConfig = { inputs: 2, hidden: 3, norm: 'none' };
    const m = mlp(config);
    const bytes = saveModule(m, config, KIND);
    const named = { ...spec(), file: 'models/mlp.safetensors' };
    const caught = (b: Uint8Array) => {
      try {
        loadModule(b, named).module.dispose();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const missing = caught(editTensors(bytes, (t) => delete t['1.bias'])) as ModelFileError;
    expect(missing).toBeInstanceOf(ModelFileError);
    expect(missing.file).toBe('models/mlp.safetensors');
    expect(missing.field).toBe("tensor '1.bias'");
    expect(missing.message).toBe("models/mlp.safetensors: tensor '1.bias': is missing");
    const badConfig = caught(
      withHeader(bytes, JSON.stringify({ ...KIND, config: { inputs: 0, hidden: 3 } })),
    );
    expect((badConfig as Error).message).toMatch(/^models\/mlp\.safetensors: config\.inputs: must be in/);
    for (const k of [0, 7, 20, bytes.length - 1]) {
      const cut = caught(bytes.subarray(0, k)) as ModelFileError;
      expect(cut, `cut at ${k}`).toBeInstanceOf(ModelFileError);
      expect(cut.file).toBe('models/mlp.safetensors');
      expect(cut.field).toBe('');
      expect(cut.message.startsWith('models/mlp.safetensors: ')).toBe(true);
    }
    // without a file name, a malformed container stays a SafetensorsError
    expect(() => loadModule(bytes.subarray(0, 7), spec())).toThrow(
      expect.objectContaining({ name: 'SafetensorsError' }),
    );
    m.dispose();
  });
  it('checks shapes from the config before building, and refuses non-finite weights when asked', () => {
    const config: MlpConfig = { inputs: 2, hidden: 3, norm: 'none' };
    const m = mlp(config);
    const bytes = saveModule(m, config, KIND);
    let built = 0;
    const shapes = (c: MlpConfig) =>
      new Map([
        ['0.weight', [c.inputs, c.hidden]],
        ['0.bias', [c.hidden]],
        ['1.weight', [c.hidden, 2]],
        ['1.bias', [2]],
      ]);
    const counting = {
      ...spec((c) => {
        built++;
        return mlp(c);
      }),
      shapes,
    };
    const huge = withHeader(bytes, JSON.stringify({ ...KIND, config: { inputs: 2, hidden: 4000 } }));
    expect(() => loadModule(huge, counting)).toThrow(
      /^tensor '0\.weight': has shape \[2, 3\], the model \[2, 4000\]$/,
    );
    expect(built).toBe(0);
    const loaded = loadModule(bytes, counting);
    expect(built).toBe(1);
    loaded.module.dispose();
    const nan = editTensors(bytes, (t) => {
      (t['1.weight']!.data as Float32Array)[4] = Number.NaN;
    });
    const before = tf.memory().numTensors;
    expect(() => loadModule(nan, { ...spec(), finite: true })).toThrow(
      /^tensor '1\.weight': value NaN at index 4$/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const lenient = loadModule(nan, spec());
    expect(Number.isNaN(lenient.module.stateDict()['1.weight']!.dataSync()[4])).toBe(true);
    lenient.module.dispose();
    m.dispose();
  });
});
