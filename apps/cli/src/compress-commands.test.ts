// Each `lab compress` step as a function, on a 20-image MNIST-layout directory written here: the
// option refusals naming the option, per-layer lists, steps without data (--epochs 0), and the file
// round trips (compress.test.ts runs the whole pipeline on real MNIST).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, encodeCompressed } from '@lab/compress';
import { initBackend, Rng } from '@lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compressDecode,
  compressEncode,
  compressEval,
  compressInfo,
  compressPrune,
  compressQuantize,
  compressSensitivity,
  compressTrain,
} from './compress-commands.js';
import { readModel, writeModel } from './compress-files.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-compress-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const f = (name: string) => join(dir, name);
const common = { backend: 'cpu' as const, quiet: true, seed: 1 };

/** Train and t10k splits of `n` random 28 x 28 images with random labels. */
function tinyMnist(n: number): string {
  const d = f('mnist');
  const rng = new Rng(3);
  const write = (base: string) => {
    const images = Buffer.alloc(16 + n * 784);
    images.writeUInt32BE(0x803, 0);
    images.writeUInt32BE(n, 4);
    images.writeUInt32BE(28, 8);
    images.writeUInt32BE(28, 12);
    for (let i = 16; i < images.length; i++) images[i] = rng.int(256);
    const labels = Buffer.alloc(8 + n);
    labels.writeUInt32BE(0x801, 0);
    labels.writeUInt32BE(n, 4);
    for (let i = 8; i < labels.length; i++) labels[i] = rng.int(10);
    writeFileSync(join(d, `${base}-images-idx3-ubyte`), images);
    writeFileSync(join(d, `${base}-labels-idx1-ubyte`), labels);
  };
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  write('train');
  write('t10k');
  return d;
}

let data: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  data = tinyMnist(20);
  const model = buildModel('lenet-300-100', new Rng(2));
  writeModel(f('base.st'), model, 'lenet-300-100');
  model.dispose();
});

/** Fraction of exact zeros in each prunable weight of a model file. */
function zeroFractions(path: string): Record<string, number> {
  const { model } = readModel(path);
  const out = Object.fromEntries(
    Object.entries(model.stateDict())
      .filter(([k]) => k.endsWith('.weight'))
      .map(([k, v]) => {
        const w = v.dataSync();
        return [k, w.filter((x) => x === 0).length / w.length];
      }),
  );
  model.dispose();
  return out;
}

describe('compressTrain', () => {
  it('refuses an unknown model and a missing --data, naming them', async () => {
    await expect(
      compressTrain({ ...common, epochs: 1, batchSize: 8, lr: 1e-3, model: 'vgg', out: f('x.st') }),
    ).rejects.toThrow('--model: is "vgg"; known models: lenet-300-100, lenet-5');
    await expect(
      compressTrain({ ...common, epochs: 1, batchSize: 8, lr: 1e-3, model: 'lenet-5', out: f('x.st') }),
    ).rejects.toThrow('train needs --data (an MNIST-layout directory)');
    expect(existsSync(f('x.st'))).toBe(false);
  });

  it('trains on --data and writes a model file with its test error', async () => {
    const { testError } = await compressTrain({
      ...common,
      data,
      limit: 10,
      epochs: 1,
      batchSize: 5,
      lr: 1e-3,
      model: 'lenet-300-100',
      out: f('trained.st'),
    });
    // 20 test images: the error is a multiple of 1/20
    expect(testError).toBeGreaterThanOrEqual(0);
    expect(testError).toBeLessThanOrEqual(1);
    expect(Math.abs(testError! * 20 - Math.round(testError! * 20))).toBeLessThan(1e-9);
    expect(readFileSync(f('trained.st'), 'latin1')).toContain(String(testError));
    const trained = readModel(f('trained.st'));
    expect(trained.name).toBe('lenet-300-100');
    trained.model.dispose();
  });
});

describe('compressPrune', () => {
  const base = { ...common, epochs: 0, batchSize: 8, lr: 1e-3 };

  it('needs exactly one of --quality and --sparsity, and a list of one or one per layer', async () => {
    const o = { ...base, input: f('base.st'), out: f('p.st') };
    await expect(compressPrune(o)).rejects.toThrow('prune needs exactly one of --quality and --sparsity');
    await expect(compressPrune({ ...o, quality: [1], sparsity: [0.5] })).rejects.toThrow(/exactly one/);
    await expect(compressPrune({ ...o, sparsity: [0.5, 0.6] })).rejects.toThrow(
      '--sparsity lists 2 values for 3 layers (1.weight, 3.weight, 5.weight)',
    );
    await expect(compressPrune({ ...o, epochs: 1, sparsity: [0.5] })).rejects.toThrow(
      'retraining needs --data (an MNIST-layout directory), or --epochs 0',
    );
    expect(existsSync(f('p.st'))).toBe(false);
  });

  it('prunes each layer to its own sparsity without data (no test error)', async () => {
    const r = await compressPrune({
      ...base,
      input: f('base.st'),
      out: f('p.st'),
      sparsity: [0.5, 0.7, 0.2],
    });
    expect(r.testError).toBeNull();
    expect(r.rows.map((x) => [x.name, Number(x.sparsity.toFixed(2))])).toEqual([
      ['1.weight', 0.5],
      ['3.weight', 0.7],
      ['5.weight', 0.2],
    ]);
    const zeros = zeroFractions(f('p.st'));
    expect(zeros['1.weight']).toBeCloseTo(0.5, 2);
    expect(zeros['3.weight']).toBeCloseTo(0.7, 2);
    expect(zeros['5.weight']).toBeCloseTo(0.2, 2);
  });

  it('keeps the pruned weights at zero while retraining on --data', async () => {
    const r = await compressPrune({
      ...base,
      data,
      limit: 10,
      epochs: 1,
      batchSize: 5,
      input: f('base.st'),
      out: f('pr.st'),
      quality: [1],
    });
    expect(r.testError).not.toBeNull();
    const zeros = zeroFractions(f('pr.st'));
    for (const row of r.rows) expect(zeros[row.name]).toBeCloseTo(row.sparsity, 6);
  });
});

describe('compressQuantize, compressEncode, compressInfo, compressDecode, compressEval', () => {
  it('shares weights in codebooks of 2^bits - 1, encodes, describes and decodes them bit for bit', async () => {
    await compressPrune({
      ...common,
      epochs: 0,
      batchSize: 8,
      lr: 1e-3,
      input: f('base.st'),
      out: f('p2.st'),
      sparsity: [0.8],
    });
    const q = await compressQuantize({
      ...common,
      epochs: 0,
      batchSize: 8,
      lr: 1e-3,
      input: f('p2.st'),
      out: f('q.st'),
      bits: 2,
      init: 'linear',
    });
    expect(q.testError).toBeNull();
    expect(Object.keys(q.codebooks)).toEqual(['1.weight', '3.weight', '5.weight']);
    for (const k of Object.values(q.codebooks)) expect(k).toBeLessThanOrEqual(3);
    const table = await compressEncode({ input: f('q.st'), out: f('q.ldcf') });
    expect(compressInfo({ input: f('q.ldcf') })).toBe(table);
    expect(table).toMatch(/^tensor\s+encoding/);
    expect(table).toMatch(/1\.weight\s+shared/);
    await compressDecode({ input: f('q.ldcf'), out: f('d.st') });
    const [qm, dm] = [readModel(f('q.st')).model, readModel(f('d.st')).model];
    const [a, b] = [qm.stateDict(), dm.stateDict()];
    for (const k of Object.keys(a)) {
      const bits = (t: { dataSync(): ArrayLike<number> }) =>
        Buffer.from((t.dataSync() as Float32Array).buffer);
      expect(Buffer.compare(bits(a[k]!), bits(b[k]!)), k).toBe(0);
    }
    qm.dispose();
    dm.dispose();
    const e = await compressEval({ ...common, input: f('q.ldcf'), data, limit: 10, mode: 'sparse' });
    expect(e.testError * 10).toBeCloseTo(Math.round(e.testError * 10), 9);
    expect(e.plan.split('\n')).toEqual([
      expect.stringMatching(/^layer 1: sparse-shared \(2\d\.\d% stored\)$/),
      expect.stringMatching(/^layer 3: sparse-shared/),
      expect.stringMatching(/^layer 5: sparse-shared/),
    ]);
  });

  it('refuses a compressed file that does not say its model, and a file that is not one, naming them', async () => {
    const anonymous = f('anon.ldcf');
    writeFileSync(anonymous, encodeCompressed({ b: { shape: [1], values: Float32Array.from([1]) } }).bytes);
    await expect(compressDecode({ input: anonymous, out: f('n.st') })).rejects.toThrow(
      `${anonymous}: metadata.model: is undefined; known models: lenet-300-100, lenet-5`,
    );
    await expect(compressEval({ ...common, input: anonymous, data, mode: 'auto' })).rejects.toThrow(
      /metadata\.model/,
    );
    // a file naming lenet-300-100 whose tensors are not that network's
    const wrong = f('wrong.ldcf');
    writeFileSync(
      wrong,
      encodeCompressed(
        { b: { shape: [1], values: Float32Array.from([1]) } },
        { metadata: { model: 'lenet-300-100' } },
      ).bytes,
    );
    await expect(compressEval({ ...common, input: wrong, data, mode: 'auto' })).rejects.toThrow(
      `${wrong}: the file's tensor 'b' is not in the architecture`,
    );
    expect(() => compressInfo({ input: f('base.st') })).toThrow(
      new RegExp(`^${f('base.st')}: compressed file: bad-magic`),
    );
    expect(existsSync(f('n.st'))).toBe(false);
  });
});

describe('compressSensitivity', () => {
  it('writes the CSV and PNG and one table row per layer', async () => {
    const s = await compressSensitivity({
      ...common,
      input: f('base.st'),
      data,
      limit: 10,
      sparsities: [0.5],
      out: f('sens'),
      tolerance: 0.5,
    });
    const csv = readFileSync(s.csv, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('layer,sparsity,accuracy,threshold');
    expect(csv).toHaveLength(1 + 3);
    expect(Array.from(readFileSync(s.png).subarray(1, 4))).toEqual([80, 78, 71]); // "PNG"
    const rows = s.table.split('\n');
    expect(rows[0]).toBe('| layer | sparsity within 50.00% of baseline | accuracy | threshold |');
    expect(rows.slice(2).map((r) => r.split('|')[1]!.trim())).toEqual(['1.weight', '3.weight', '5.weight']);
  });
});
