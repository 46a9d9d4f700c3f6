// Hostile GAN and WGAN checkpoints for `lab gan sample`, `lab gan eval` and `train --resume`:
// truncations, random bytes, wrong types and prototype names in every config field, sizes that
// disagree with the tensors or are huge, NaN weights, negative steps and dangling tensor references.
// Each must end in a CheckpointError or SafetensorsError naming the file and field, before any net is
// built (no tensor made) and without writing output.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointError,
  parseSafetensors,
  SafetensorsError,
  serializeSafetensors,
  type TensorEntry,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDcganCheckpoint } from './checkpoint-config.js';
import { ganEval } from './evaluate.js';
import { GAN_LOSSES, ganSample, ganTrain } from './gan.js';
import { WGAN_PENALTIES, wganTrain } from './wgan.js';

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const dir = mkdtempSync(join(tmpdir(), 'lab-hostile-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ganOptions = {
  steps: 2,
  batchSize: 4,
  width: 1,
  latent: 2,
  loss: 'non-saturating' as const,
  dSteps: 1,
  seed: 3,
  sampleEvery: 100,
  checkpointEvery: 2,
  resume: false,
  backend: 'wasm' as const,
  quiet: true,
};
const wganOptions = { ...ganOptions, penalty: 'gp' as const, nCritic: 1 };

let gan: Uint8Array;
let wgan: Uint8Array;

/** Re-serialises a checkpoint with its metadata JSON and tensors changed by the callbacks. */
function rewrite(
  bytes: Uint8Array,
  edit: { meta?: (meta: any) => void; lab?: string; tensors?: (t: Map<string, TensorEntry>) => void },
): Uint8Array {
  const { tensors, metadata } = parseSafetensors(bytes);
  const entries = new Map<string, TensorEntry>();
  for (const [name, t] of Object.entries(tensors))
    entries.set(name, {
      dtype: 'F32',
      shape: t.shape,
      data: new Float32Array(new Uint8Array(t.bytes).buffer),
    });
  edit.tensors?.(entries);
  let lab = edit.lab ?? metadata.lab!;
  if (edit.meta) {
    const meta = JSON.parse(lab);
    edit.meta(meta);
    lab = JSON.stringify(meta);
  }
  return serializeSafetensors(Object.fromEntries(entries), { lab });
}

let n = 0;
function save(bytes: Uint8Array): string {
  const path = join(dir, `case-${n++}.safetensors`);
  writeFileSync(path, bytes);
  return path;
}

/** 'ok', or the error's code and field; anything but a typed checkpoint error fails the test. */
function outcome(bytes: Uint8Array): string {
  const path = save(bytes);
  const tensors = tf.memory().numTensors;
  try {
    readDcganCheckpoint(path, {
      losses: GAN_LOSSES,
      penalties: WGAN_PENALTIES,
      criticNorms: ['none', 'layer'],
    });
  } catch (e) {
    expect(tf.memory().numTensors).toBe(tensors);
    if (e instanceof CheckpointError) {
      expect(e.message.startsWith(`${path}: checkpoint ${e.field}: `)).toBe(true);
      return `${e.code} ${e.field}`;
    }
    if (e instanceof SafetensorsError) {
      expect(e.message.startsWith(`${path}: safetensors `)).toBe(true);
      return e.code;
    }
    throw new Error(`not a typed checkpoint error: ${String(e)}`);
  }
  return 'ok';
}

describe('GAN and WGAN checkpoints, hostile input', () => {
  beforeAll(async () => {
    await ganTrain({ ...ganOptions, out: join(dir, 'gan') });
    await wganTrain({ ...wganOptions, out: join(dir, 'wgan') });
    gan = readFileSync(join(dir, 'gan', 'checkpoint.safetensors'));
    wgan = readFileSync(join(dir, 'wgan', 'checkpoint.safetensors'));
  });

  it('valid checkpoints read, and the rewriting helper keeps them valid', () => {
    for (const bytes of [gan, wgan, rewrite(gan, {}), rewrite(wgan, {})]) expect(outcome(bytes)).toBe('ok');
  });

  it('refuses every truncation of the header and data of a checkpoint', () => {
    const headerEnd = 8 + Number(new DataView(gan.buffer, gan.byteOffset).getBigUint64(0, true));
    for (let at = 0; at < gan.length; at += at < headerEnd + 64 ? 1 : 61)
      expect(outcome(gan.subarray(0, at))).not.toBe('ok');
  });

  it('gives only typed errors on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(outcome(bytes)).not.toBe('ok');
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a wrong type or value in every config field, naming it', () => {
    const values: unknown[] = [
      null,
      true,
      0,
      -5,
      1.5,
      1e300,
      100000,
      'x',
      '',
      [],
      {},
      [1],
      ...PROTOTYPE_NAMES,
    ];
    // what each field accepts beyond the checkpoint's own value
    const accepted: Record<string, (v: unknown) => boolean> = {
      arch: () => false,
      width: () => false,
      latent: () => false,
      padding: (v) => v === null, // absent: an old checkpoint, 'same' padding... whose weights then fit
      // optional: informational (loss) or absent from older checkpoints
      loss: (v) => v === null,
      penalty: (v) => v === null,
      criticNorm: (v) => v === null,
    };
    for (const [bytes, fields] of [
      [gan, ['arch', 'width', 'latent', 'padding', 'loss']],
      [wgan, ['arch', 'width', 'latent', 'padding', 'penalty', 'criticNorm']],
    ] as const) {
      for (const field of fields)
        for (const v of values) {
          const got = outcome(
            rewrite(bytes, {
              meta: (m) => {
                if (v === null) delete m.config[field];
                else m.config[field] = v;
              },
            }),
          );
          if (accepted[field]!(v)) expect(got).toBe('ok');
          else expect([field, v, got]).toEqual([field, v, `InvalidField config.${field}`]);
        }
    }
  });

  it('refuses configs that are not objects, and prototype-named keys do not count as fields', () => {
    for (const v of [null, 1, 'dcgan', [], { arch: 'dcgan' }])
      expect(
        outcome(
          rewrite(gan, {
            meta: (m) => {
              m.config = v;
            },
          }),
        ),
      ).toMatch(/^InvalidField config/);
    // JSON's own "__proto__" key is not the config's prototype
    const text = JSON.parse(parseSafetensors(gan).metadata.lab!);
    const { arch, width, latent, ...rest } = text.config;
    const lab = JSON.stringify({ ...text, config: rest }).replace(
      '"config":{',
      `"config":{"__proto__":${JSON.stringify({ arch, width, latent })},`,
    );
    expect(outcome(rewrite(gan, { lab }))).toBe('InvalidField config.arch');
  });

  it('checks the sizes against the tensors before building: a huge in-range width fails at once', () => {
    const tensors = tf.memory().numTensors;
    const started = performance.now();
    expect(
      outcome(
        rewrite(gan, {
          meta: (m) => {
            m.config.width = 1024;
          },
        }),
      ),
    ).toBe('ShapeMismatch config');
    expect(
      outcome(
        rewrite(gan, {
          meta: (m) => {
            m.config.latent = 10000;
          },
        }),
      ),
    ).toBe('ShapeMismatch config');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(outcome(rewrite(gan, { tensors: (t) => t.delete('module.G.0.weight') }))).toBe(
      'MissingTensor module.G.0.weight',
    );
  });

  it('refuses the broken metadata of the issue: lab "null", a dangling "constructor" reference, step -100', () => {
    expect(outcome(rewrite(gan, { lab: 'null' }))).toBe('InvalidField __metadata__.lab');
    expect(
      outcome(
        rewrite(gan, {
          meta: (m) => {
            m.optimizers.G[0].mu['0.weight'].$tensor = 'constructor';
          },
        }),
      ),
    ).toBe('MissingTensor optimizers.G[0].mu.0.weight');
    expect(
      outcome(
        rewrite(gan, {
          meta: (m) => {
            m.step = -100;
          },
        }),
      ),
    ).toBe('InvalidField step');
  });

  it('lab gan sample and eval refuse NaN weights and write nothing', async () => {
    const path = save(
      rewrite(gan, {
        tensors: (t) => {
          for (const [name, e] of t)
            if (name.startsWith('module.G.')) (e.data as Float32Array).fill(Number.NaN);
        },
      }),
    );
    const png = join(dir, 'nan.png');
    await expect(
      ganSample({ checkpoint: path, count: 4, seed: 0, out: png, backend: 'wasm' }),
    ).rejects.toThrow(`${path}: checkpoint module.G.0.weight: element 0 is NaN`);
    expect(existsSync(png)).toBe(false);
    await expect(ganEval({ checkpoint: path, count: 4, seed: 0, backend: 'wasm' })).rejects.toThrow(
      CheckpointError,
    );
  });

  it('train --resume refuses a negative step, and a checkpoint of the other trainer', async () => {
    const ganOut = join(dir, 'resume-gan');
    mkdirSync(ganOut);
    writeFileSync(
      join(ganOut, 'checkpoint.safetensors'),
      rewrite(gan, {
        meta: (m) => {
          m.step = -100;
        },
      }),
    );
    await expect(ganTrain({ ...ganOptions, out: ganOut, resume: true })).rejects.toThrow(
      'checkpoint step: -100 is not an integer >= 0',
    );
    writeFileSync(join(ganOut, 'checkpoint.safetensors'), wgan);
    await expect(ganTrain({ ...ganOptions, steps: 3, out: ganOut, resume: true })).rejects.toThrow(
      /lab wgan train/,
    );
    const wganOut = join(dir, 'resume-wgan');
    mkdirSync(wganOut);
    writeFileSync(join(wganOut, 'checkpoint.safetensors'), gan);
    await expect(wganTrain({ ...wganOptions, steps: 3, out: wganOut, resume: true })).rejects.toThrow(
      /lab gan train/,
    );
    writeFileSync(join(wganOut, 'checkpoint.safetensors'), wgan);
    await expect(
      wganTrain({ ...wganOptions, steps: 3, width: 2, out: wganOut, resume: true }),
    ).rejects.toThrow(/was trained with width 1; pass the same settings/);
    // the checkpoint is at step 2: a run to step 2 has nothing left to do
    await expect(wganTrain({ ...wganOptions, steps: 2, out: wganOut, resume: true })).rejects.toThrow(
      /is at step 2: --steps 2 leaves nothing to train/,
    );
  });
});
