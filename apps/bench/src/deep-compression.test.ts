// W5 on a small budget: the JSON line has the fields, the ratio is the dense float32 size over
// the bytes written, and the network run from the written file (sparse, from the shared weights)
// scores exactly what the quantized network scored before encoding.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@lab/core';
import { memory } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  anchorTable,
  type DeepCompressionLine,
  deepCompressionBench,
  roundedLine,
} from './deep-compression.js';

const outDir = mkdtempSync(join(tmpdir(), 'lab-dc-test-'));
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('deep-compression bench', () => {
  it('prunes, shares, codes and runs LeNet-300-100 from its file on a small budget', async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => void printed.push(s));
    const before = memory().numTensors;
    const [line] = await deepCompressionBench({
      models: ['lenet-300-100'],
      epochs: 1,
      trainLimit: 2000,
      rounds: 1,
      timingBlocks: 1,
      quiet: true,
      sweep: false,
      outDir,
    });
    spy.mockRestore();
    expect(memory().numTensors).toBe(before);
    expect(Object.keys(line!)).toEqual([
      'workload',
      'model',
      'baseline_err',
      'pruned_err',
      'quantized_err',
      'final_err',
      'ratio',
      'bytes',
      'sparse_speedup',
    ]);
    expect(JSON.parse(printed[0]!)).toEqual(line);
    // a short run on 2,000 images still learns (chance is 90% error)
    expect(line!.baseline_err).toBeLessThan(30);
    // encoding is lossless and the sparse run computes the same network
    expect(line!.final_err).toBe(line!.quantized_err);
    const files = readdirSync(outDir);
    expect(files).toEqual(['lenet-300-100.ldcf']);
    expect(statSync(join(outDir, files[0]!)).size).toBe(line!.bytes);
    const denseBytes = 4 * (784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10);
    expect(line!.ratio).toBe(Math.round((100 * denseBytes) / line!.bytes) / 100);
    // the JSON prints each error with at most two decimals (one test image is 0.01%)
    for (const err of [line!.baseline_err, line!.pruned_err, line!.quantized_err, line!.final_err])
      expect(JSON.stringify(err)).toMatch(/^\d+(\.\d{1,2})?$/);
    // Han's 8% / 9% / 26% kept with 5-bit codebooks: well over 25x
    expect(line!.ratio).toBeGreaterThan(25);
    expect(line!.sparse_speedup).toBeGreaterThan(0);
    expect(anchorTable([line!])).toMatch(/1\.64% -> 1\.58% at 40x/);
  });
});

describe('roundedLine', () => {
  it('rounds errors, ratio and speed-up to two decimals and keeps every field', () => {
    const raw: DeepCompressionLine = {
      workload: 'deep-compression',
      model: 'lenet-5',
      baseline_err: 100 * (214 / 10000), // 2.1399999999999997 in float64
      pruned_err: 0.7000000000000001,
      quantized_err: 0.8500000000000001,
      final_err: 0.8400000000000001,
      ratio: 32.617283950617285,
      bytes: 52617,
      sparse_speedup: 1.2345,
    };
    expect(raw.baseline_err).not.toBe(2.14);
    const line = roundedLine(raw);
    expect(line).toEqual({
      workload: 'deep-compression',
      model: 'lenet-5',
      baseline_err: 2.14,
      pruned_err: 0.7,
      quantized_err: 0.85,
      final_err: 0.84,
      ratio: 32.62,
      bytes: 52617,
      sparse_speedup: 1.23,
    });
    expect(JSON.stringify(line)).toContain('"baseline_err":2.14,');
  });
});
