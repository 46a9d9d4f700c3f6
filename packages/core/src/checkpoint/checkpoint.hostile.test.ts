// Hostile input for the checkpoint reader: every truncation of a valid checkpoint, random bytes, wrong
// types in every metadata field, prototype names as tensor references and keys, huge and negative
// steps, shapes that disagree with the targets, NaN/infinite weights. Each must end in a
// SafetensorsError or CheckpointError naming the field, leave the targets unchanged and leak nothing.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adam,
  BatchNorm,
  CheckpointError,
  checkpointToBytes,
  Dense,
  initBackend,
  Optimizer,
  parseSafetensors,
  Rng,
  readCheckpoint,
  restoreCheckpoint,
  SafetensorsError,
  Sequential,
  serializeSafetensors,
  stateTensors,
  type TensorEntry,
  valueAndGrads,
} from '../index.js';

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

function build(seed: number) {
  const rng = new Rng(seed);
  const net = new Sequential([new Dense(3, 4, { rng }), new BatchNorm(4), new Dense(4, 2, { rng })]);
  const opt = new Optimizer(adam(0.01), net.trainableParameters());
  return { rng, net, opt };
}
type Model = ReturnType<typeof build>;
function step(m: Model) {
  const x = tf.randomNormal([5, 3], 0, 1, 'float32', m.rng.seed());
  const { value, grads } = valueAndGrads(
    () => tf.mean(tf.square(m.net.forward(x))) as tf.Scalar,
    m.net.trainableParameters(),
  );
  m.opt.step(grads);
  tf.dispose([x, value, ...Object.values(grads)]);
}
/** Every number the model and its optimizer hold. */
const snapshot = (m: Model) =>
  [...Object.values(m.net.stateDict()), ...stateTensors(m.opt.getState())].map((t) =>
    Array.from(t.dataSync()),
  );

/** Re-serialises a checkpoint with its metadata JSON and tensors changed by the callbacks. */
function rewrite(
  bytes: Uint8Array,
  edit: {
    meta?: (meta: any) => unknown;
    lab?: (text: string) => string;
    tensors?: (t: Map<string, TensorEntry>) => void;
  },
): Uint8Array {
  const { tensors, metadata } = parseSafetensors(bytes);
  const entries = new Map<string, TensorEntry>();
  for (const [name, t] of Object.entries(tensors)) {
    const data = new Float32Array(t.bytes.slice().buffer);
    entries.set(name, { dtype: 'F32', shape: t.shape, data });
  }
  edit.tensors?.(entries);
  let lab = metadata.lab!;
  if (edit.meta) lab = JSON.stringify(edit.meta(JSON.parse(lab)));
  if (edit.lab) lab = edit.lab(lab);
  return serializeSafetensors(Object.fromEntries(entries), { lab });
}

/** A metadata edit that changes the parsed object in place. */
const mutate =
  (change: (meta: any) => void) =>
  (meta: any): unknown => {
    change(meta);
    return meta;
  };

let source: Model;
let valid: Uint8Array;
let target: Model;
let before: number[][];

/** The error of restoring `bytes` into the target ('ok' when it restores); checks nothing changed. */
function outcome(bytes: Uint8Array, options?: { allowNonFinite?: boolean }): string {
  const tensors = tf.memory().numTensors;
  try {
    restoreCheckpoint(bytes, { modules: { net: target.net }, optimizers: { opt: target.opt } }, options);
  } catch (e) {
    expect(tf.memory().numTensors).toBe(tensors);
    expect(snapshot(target)).toEqual(before);
    if (e instanceof CheckpointError) return `${e.code} ${e.field}`;
    if (e instanceof SafetensorsError) return e.code;
    throw new Error(`neither a CheckpointError nor a SafetensorsError: ${String(e)}`);
  }
  expect(tf.memory().numTensors).toBe(tensors);
  // a fresh target for the next case, so that a partial restore could never hide behind equal values
  target.net.dispose();
  target.opt.dispose();
  target = build(2);
  return 'ok';
}

describe('checkpoint reader, hostile input', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
    source = build(1);
    step(source);
    step(source);
    valid = checkpointToBytes({
      modules: { net: source.net },
      optimizers: { opt: source.opt },
      step: 2,
      rng: source.rng.getState(),
      config: { width: 4 },
    });
    target = build(2);
    before = snapshot(target);
  });
  afterAll(() => {
    for (const m of [source, target]) {
      m.net.dispose();
      m.opt.dispose();
    }
  });

  it('a valid checkpoint restores, and the rewriting helper keeps it valid', () => {
    expect(readCheckpoint(rewrite(valid, {})).step).toBe(2);
    const probe = build(3);
    restoreCheckpoint(rewrite(valid, {}), { modules: { net: probe.net }, optimizers: { opt: probe.opt } });
    expect(snapshot(probe)).toEqual(snapshot(source));
    probe.net.dispose();
    probe.opt.dispose();
  });

  it('refuses every truncation of a valid checkpoint, changing nothing', () => {
    for (let n = 0; n < valid.length; n += n < 200 ? 1 : 7)
      expect(outcome(valid.subarray(0, n))).not.toBe('ok');
  });

  it('gives only typed errors on random bytes and random metadata text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        expect(outcome(bytes)).not.toBe('ok');
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.json(), (json) => {
        expect(outcome(rewrite(valid, { lab: () => json }))).not.toBe('ok');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a wrong type in every metadata field, naming it', () => {
    const values = [null, true, 0, -1, 1.5, 'x', '', [], {}, [1], ...PROTOTYPE_NAMES, { a: 1 }, { state: 1 }];
    const missingOpt = 'MissingTarget optimizers.opt';
    // field, how to set it, its error, and the values it accepts (with what they give)
    const cases: [string, (meta: any, v: unknown) => void, string, (v: unknown) => string | undefined][] = [
      ['format', (m, v) => (m.format = v), 'NotACheckpoint format', () => undefined],
      [
        'step',
        (m, v) => (m.step = v),
        'InvalidField step',
        (v) => (v === 0 || v === null ? 'ok' : undefined),
      ],
      [
        'rng',
        (m, v) => (m.rng = v),
        'InvalidField rng',
        (v) => (v === null || (v as { state?: number })?.state === 1 ? 'ok' : undefined),
      ],
      [
        'rng.state',
        (m, v) => (m.rng = { state: v }),
        'InvalidField rng',
        (v) => (v === 0 ? 'ok' : undefined),
      ],
      [
        'optimizers',
        (m, v) => (m.optimizers = v),
        'InvalidField optimizers',
        (v) => (v === null || (typeof v === 'object' && !Array.isArray(v)) ? missingOpt : undefined),
      ],
    ];
    for (const [field, set, error, accepts] of cases)
      for (const v of values) {
        const got = outcome(rewrite(valid, { meta: mutate((m) => set(m, v)) }));
        expect([field, v, got]).toEqual([field, v, accepts(v) ?? error]);
      }
  });

  it('refuses "lab" metadata that is not an object, or missing', () => {
    for (const text of ['null', '[]', '1', '"lab"', '{', '', 'true'])
      expect([text, outcome(rewrite(valid, { lab: () => text }))]).toEqual([
        text,
        'InvalidField __metadata__.lab',
      ]);
    const { tensors } = parseSafetensors(valid);
    const entries = Object.fromEntries(
      Object.entries(tensors).map(([k, t]) => [
        k,
        { dtype: 'F32', shape: t.shape, data: new Float32Array(t.bytes.slice().buffer) } as TensorEntry,
      ]),
    );
    expect(outcome(serializeSafetensors(entries))).toBe('NotACheckpoint __metadata__.lab');
    expect(outcome(serializeSafetensors(entries, { other: '{}' }))).toBe('NotACheckpoint __metadata__.lab');
  });

  it('refuses negative, fractional and huge steps', () => {
    for (const s of [-100, -1, 0.5, 2 ** 53, 1e308, '5'])
      expect([s, outcome(rewrite(valid, { meta: (m) => ({ ...m, step: s }) }))]).toEqual([
        s,
        'InvalidField step',
      ]);
    expect(outcome(rewrite(valid, { lab: (t) => t.replace('"step":2', '"step":1e400') }))).toBe(
      'InvalidField step',
    );
  });

  it('looks tensor references up as own names: prototype names are missing tensors', () => {
    const state = (m: any) => m.optimizers.opt;
    const first = (tree: any): any => {
      for (const v of Object.values(tree)) {
        if (v && typeof v === 'object' && '$tensor' in (v as object)) return v;
        const found = v && typeof v === 'object' ? first(v) : undefined;
        if (found) return found;
      }
      return undefined;
    };
    for (const name of [...PROTOTYPE_NAMES, 'optim.opt.nope', 'module.net.0.weight'])
      expect([
        name,
        outcome(
          rewrite(valid, {
            meta: (m) => {
              first(state(m)).$tensor = name;
              return m;
            },
          }),
        ),
      ]).toSatisfy(([, got]) => /^(MissingTensor|ShapeMismatch) optimizers\.opt/.test(got as string));
    for (const v of [1, null, {}, []])
      expect(
        outcome(
          rewrite(valid, {
            meta: (m) => {
              first(state(m)).$tensor = v;
              return m;
            },
          }),
        ),
      ).toMatch(/^InvalidField optimizers\.opt.*\$tensor$/);
    for (const v of ['1', 'nan', 'constructor', 3])
      expect(
        outcome(
          rewrite(valid, {
            meta: mutate((m) => {
              state(m)[0] = { $number: v };
            }),
          }),
        ),
      ).toMatch(/^InvalidField optimizers\.opt/);
  });

  it('refuses optimizer states whose structure differs from the optimizer', () => {
    const edits: ((tree: any) => unknown)[] = [
      () => ({}),
      () => [],
      (t) => [...t, 1],
      (t) => [{ ...t[0], extra: 1 }, ...t.slice(1)],
      (t) => [{ ...t[0], count: 'two' }, ...t.slice(1)],
      (t) => [{ ...t[0], mu: 0 }, ...t.slice(1)],
    ];
    for (const edit of edits)
      expect(
        outcome(
          rewrite(valid, {
            meta: mutate((m) => {
              m.optimizers.opt = edit(m.optimizers.opt);
            }),
          }),
        ),
      ).toMatch(/^(ShapeMismatch|InvalidField|MissingTensor) optimizers\.opt/);
  });

  it('refuses module tensors that are missing, extra, prototype-named or of another shape', () => {
    expect(outcome(rewrite(valid, { tensors: (t) => t.delete('module.net.0.weight') }))).toBe(
      'MissingTensor module.net.0.weight',
    );
    for (const name of PROTOTYPE_NAMES)
      expect(
        outcome(
          rewrite(valid, {
            tensors: (t) =>
              t.set(`module.net.${name}`, { dtype: 'F32', shape: [1], data: Float32Array.of(0) }),
          }),
        ),
      ).toBe(`UnexpectedTensor module.net.${name}`);
    expect(
      outcome(
        rewrite(valid, {
          tensors: (t) =>
            t.set('module.net.0.weight', { dtype: 'F32', shape: [4, 3], data: new Float32Array(12) }),
        }),
      ),
    ).toBe('ShapeMismatch module.net.0.weight');
    // the same tensors under another module name
    expect(
      outcome(checkpointToBytes({ modules: { other: source.net }, optimizers: { opt: source.opt } })),
    ).toBe('MissingTarget module.net');
  });

  it('refuses NaN and infinite weights unless allowed', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      const bytes = rewrite(valid, {
        tensors: (t) => {
          const w = t.get('module.net.2.weight')!;
          const data = Float32Array.from(w.data as Float32Array);
          data[3] = bad;
          t.set('module.net.2.weight', { ...w, data });
        },
      });
      expect(outcome(bytes)).toBe('NonFinite module.net.2.weight');
      const probe = build(4);
      restoreCheckpoint(bytes, { modules: { net: probe.net } }, { allowNonFinite: true });
      expect(probe.net.stateDict()['2.weight']!.dataSync()[3]).toBe(bad);
      probe.net.dispose();
      probe.opt.dispose();
    }
  });

  it('names the file when read through loadCheckpointFile', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { loadCheckpointFile } = await import('../node/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'lab-ckpt-'));
    try {
      const path = join(dir, 'bad.safetensors');
      writeFileSync(path, rewrite(valid, { meta: (m) => ({ ...m, step: -100 }) }));
      expect(() => loadCheckpointFile(path, { modules: { net: target.net } })).toThrow(
        `${path}: checkpoint step: -100 is not an integer >= 0`,
      );
      writeFileSync(path, valid.subarray(0, 20));
      expect(() => loadCheckpointFile(path, { modules: { net: target.net } })).toThrow(
        new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: safetensors `),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
