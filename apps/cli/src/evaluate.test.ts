import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnistSplit } from '@lab/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedDataDir } from './data.js';
import { ganEval } from './evaluate.js';
import { ganTrain } from './gan.js';

const out = mkdtempSync(join(tmpdir(), 'lab-eval-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Writes [n, 28, 28] float32 images as numpy.save would. */
function writeNpy(path: string, values: Float32Array, n: number) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, 28, 28), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64));
  header += '\n';
  const buf = Buffer.alloc(10 + header.length + values.byteLength);
  buf.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  buf.writeUInt16LE(header.length, 8);
  buf.write(header, 10, 'latin1');
  Buffer.from(values.buffer).copy(buf, 10 + header.length);
  writeFileSync(path, buf);
}

describe('lab gan eval', () => {
  it('scores .npy samples: real held-out images score far better than noise', async () => {
    const ds = loadMnistSplit(embeddedDataDir(), 'test');
    const n = 1000;
    const real = Float32Array.from(ds.images.subarray(0, n * 784), (v) => v / 127.5 - 1);
    const noise = Float32Array.from({ length: n * 784 }, (_, i) => Math.sin(i * 12.9898) % 1);
    writeNpy(join(out, 'real.npy'), real, n);
    writeNpy(join(out, 'noise.npy'), noise, n);
    const o = { count: 100, seed: 0, backend: 'wasm' as const };
    const r = await ganEval({ ...o, samples: join(out, 'real.npy') });
    const z = await ganEval({ ...o, samples: join(out, 'noise.npy') });
    expect(r.samples).toBe(n);
    expect(r.fd).toBeLessThan(z.fd / 20);
    expect(r.classifierScore).toBeGreaterThan(z.classifierScore);
    await expect(ganEval(o)).rejects.toThrow(/exactly one of/);
    writeFileSync(join(out, 'bad.npy'), 'not numpy');
    await expect(ganEval({ ...o, samples: join(out, 'bad.npy') })).rejects.toThrow(/bad magic/);
  });

  it('scores a checkpoint written by lab gan train', async () => {
    const dir = join(out, 'gan');
    const common = {
      batchSize: 8,
      width: 2,
      latent: 8,
      dSteps: 1,
      seed: 1,
      sampleEvery: 2,
      checkpointEvery: 2,
    };
    await ganTrain({
      ...common,
      steps: 2,
      loss: 'non-saturating',
      out: dir,
      resume: false,
      backend: 'wasm',
      quiet: true,
    });
    const q = await ganEval({
      checkpoint: join(dir, 'checkpoint.safetensors'),
      count: 600,
      seed: 0,
      backend: 'wasm',
    });
    expect(q.samples).toBe(600);
    expect(Number.isFinite(q.fd) && q.fd > 0).toBe(true);
  });
});
