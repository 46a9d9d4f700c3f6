// `lab compress` end to end on a small MNIST budget (in process), and the command line's answers to
// hostile input (the built lab.js): a clear one-line error, exit 1, and no output file left behind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSharedData } from '@lab/core/testing';
import { memory } from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
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
import { readModel } from './compress-files.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-compress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(findSharedData(), 'mnist');
const common = { backend: 'wasm' as const, quiet: true, seed: 1 };
const budget = { data, limit: 1000, epochs: 1, batchSize: 64 };
const f = (name: string) => join(dir, name);

describe('lab compress (in process)', () => {
  it('trains, prunes, quantizes, encodes, decodes and runs a LeNet-300-100; sizes and errors agree', async () => {
    const t = await compressTrain({
      ...common,
      ...budget,
      lr: 1e-3,
      model: 'lenet-300-100',
      out: f('base.st'),
    });
    expect(t.testError).toBeLessThan(0.5); // 16 steps on 1,000 images; chance is 0.9
    const before = memory().numTensors;
    const p = await compressPrune({
      ...common,
      ...budget,
      lr: 3e-4,
      input: f('base.st'),
      out: f('pruned.st'),
      sparsity: [0.9],
    });
    expect(p.rows.map((r) => r.name)).toEqual(['1.weight', '3.weight', '5.weight']);
    for (const r of p.rows) expect(r.sparsity).toBeCloseTo(0.9, 2);
    const q = await compressQuantize({
      ...common,
      ...budget,
      lr: 1e-4,
      input: f('pruned.st'),
      out: f('q.st'),
      bits: 4,
      init: 'linear',
    });
    expect(Object.values(q.codebooks).every((k) => k <= 15)).toBe(true);
    const table = await compressEncode({ input: f('q.st'), out: f('q.ldcf') });
    expect(table).toMatch(/^total/m);
    expect(compressInfo({ input: f('q.ldcf') })).toBe(table);
    await compressDecode({ input: f('q.ldcf'), out: f('decoded.st') });
    // the decoded file holds exactly the quantized weights
    const a = readModel(f('q.st')).model;
    const b = readModel(f('decoded.st')).model;
    for (const [k, v] of Object.entries(a.stateDict()))
      expect(Buffer.from((b.stateDict()[k]!.dataSync() as Float32Array).buffer)).toEqual(
        Buffer.from((v.dataSync() as Float32Array).buffer),
      );
    a.dispose();
    b.dispose();
    // run sparse from the shared weights: the same test error as the quantized model
    const e = await compressEval({ ...common, input: f('q.ldcf'), data, mode: 'sparse' });
    expect(e.plan).toMatch(/layer 1: sparse-shared \(10\.0% stored\)/);
    expect(e.testError).toBe(q.testError);
    expect(memory().numTensors).toBe(before);
  });

  it('writes the sensitivity CSV and PNG and chooses a sparsity per layer', async () => {
    const s = await compressSensitivity({
      ...common,
      input: f('base.st'),
      data,
      limit: 200,
      sparsities: [0, 0.5, 0.99],
      out: f('sens'),
      tolerance: 0.01,
    });
    const csv = readFileSync(s.csv, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('layer,sparsity,accuracy,threshold');
    expect(csv).toHaveLength(1 + 3 * 3);
    expect(Array.from(readFileSync(s.png).subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    expect(s.table.split('\n')).toHaveLength(2 + 3);
  });
});

describe('lab compress (command line, hostile input)', () => {
  const built = fileURLToPath(new URL('../dist/lab.js', import.meta.url));
  const lab = (...args: string[]) =>
    spawnSync(process.execPath, [built, 'compress', ...args], { encoding: 'utf8' });
  const refused = (r: ReturnType<typeof lab>, message: RegExp) => {
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  };

  it('names a missing, truncated or corrupt file, and leaves no output behind', () => {
    refused(lab('info', f('nothing.ldcf')), /nothing\.ldcf: no such file/);
    refused(lab('info', dir), /not a file/);
    const good = readFileSync(f('q.ldcf'));
    writeFileSync(f('cut.ldcf'), good.subarray(0, good.length - 7));
    refused(lab('info', f('cut.ldcf')), /cut\.ldcf: compressed file: truncated/);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 100]! ^= 0xff;
    writeFileSync(f('flipped.ldcf'), flipped);
    refused(
      lab('decode', f('flipped.ldcf'), '--out', f('out.st')),
      /flipped\.ldcf: compressed file: checksum/,
    );
    refused(lab('encode', f('q.ldcf'), '--out', f('out.ldcf')), /q\.ldcf: safetensors/);
    refused(lab('decode', f('q.st'), '--out', f('out.st')), /q\.st: compressed file: bad-magic/);
    writeFileSync(f('empty.st'), '');
    refused(lab('prune', f('empty.st'), '--sparsity', '0.5', '--out', f('out.st')), /empty\.st: /);
    expect(existsSync(f('out.st'))).toBe(false);
    expect(existsSync(f('out.ldcf'))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses bad numbers and contradictory options with the option named', () => {
    const m = f('q.st');
    refused(
      lab('prune', m, '--sparsity', '1.5', '--out', f('o.st')),
      /--sparsity must be a number in \[0, 1\]/,
    );
    refused(lab('prune', m, '--quality', 'abc', '--out', f('o.st')), /--quality must be a number/);
    refused(lab('prune', m, '--sparsity', '0.5,0.4', '--out', f('o.st')), /2 values for 3 layers/);
    refused(lab('prune', m, '--out', f('o.st')), /exactly one of --quality and --sparsity/);
    refused(lab('prune', m, '--sparsity', '0.5', '--epochs', '1', '--out', f('o.st')), /needs --data/);
    refused(lab('quantize', m, '--bits', '9', '--out', f('o.st')), /--bits must be an integer in \[1, 8\]/);
    refused(lab('encode', m, '--out', f('o.ldcf'), '--index-bits', '0'), /--index-bits must be an integer/);
    refused(lab('train', '--model', 'vgg', '--out', f('o.st')), /Allowed choices are lenet-300-100, lenet-5/);
    refused(lab('eval', f('q.ldcf'), '--data', dir), /neither t10k-images-idx3-ubyte/);
    expect(existsSync(f('o.st'))).toBe(false);
  });
});
