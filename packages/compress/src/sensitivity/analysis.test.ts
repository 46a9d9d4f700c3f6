import { Dense, initBackend, ReLU, Rng, Sequential } from '@lab/core';
import { argMax, memory, randomNormal, tidy } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bitsOf } from '../test-helpers.js';
import { chooseSparsities, sensitivityAnalysis, sensitivityCsv } from './analysis.js';
import { sensitivityPixels, sensitivityPng, sensitivitySvg } from './plot.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('sensitivity analysis', () => {
  it('probes one layer at a time, restores every weight bit for bit, and leaks nothing', async () => {
    const rng = new Rng(3);
    const model = new Sequential([new Dense(8, 16, { rng }), ReLU(), new Dense(16, 4, { rng })]);
    const x = randomNormal([64, 8], 0, 1, 'float32', 5);
    const reference = tidy(() => argMax(model.forward(x), 1).dataSync());
    const original = Object.fromEntries(
      Object.entries(model.parameters()).map(([k, v]) => [k, bitsOf(v.dataSync() as Float32Array)]),
    );
    // "accuracy": agreement with the unpruned net's predictions; also records which layers were sparse
    const zerosSeen: Array<[number, number]> = [];
    const evaluate = () =>
      tidy(() => {
        const p = model.parameters();
        const zeros = (k: string) => Array.from(p[k]!.dataSync()).filter((v) => v === 0).length;
        zerosSeen.push([zeros('0.weight'), zeros('2.weight')]);
        const pred = argMax(model.forward(x), 1).dataSync();
        return Array.from(pred).reduce((a, c, i) => a + (c === reference[i] ? 1 : 0), 0) / pred.length;
      });
    const before = memory().numTensors;
    // between probes the model is whole again
    const restoredBetween: boolean[] = [];
    const onProbe = () =>
      restoredBetween.push(
        Object.entries(model.parameters()).every(([k, v]) =>
          bitsOf(v.dataSync() as Float32Array).every((w, i) => w === original[k]![i]),
        ),
      );
    const result = await sensitivityAnalysis(model, { evaluate, sparsities: [0, 0.5, 0.9], onProbe });
    expect(restoredBetween).toEqual(new Array(6).fill(true));
    expect(memory().numTensors).toBe(before);
    expect(result.baseline).toBe(1);
    expect(result.rows.map((r) => [r.layer, r.sparsity])).toEqual([
      ['0.weight', 0],
      ['0.weight', 0.5],
      ['0.weight', 0.9],
      ['2.weight', 0],
      ['2.weight', 0.5],
      ['2.weight', 0.9],
    ]);
    // the others stay intact during each probe: only the probed layer has zeros
    expect(zerosSeen.slice(1)).toEqual([
      [0, 0],
      [64, 0],
      [115, 0],
      [0, 0],
      [0, 32],
      [0, 58],
    ]);
    expect(result.rows[0]!.accuracy).toBe(1);
    expect(result.rows[2]!.accuracy).toBeLessThan(1);
    for (const [k, v] of Object.entries(model.parameters()))
      expect(bitsOf(v.dataSync() as Float32Array)).toEqual(original[k]);
    model.dispose();
    x.dispose();
  });

  it('restores the weights even when evaluate throws', async () => {
    const model = new Sequential([new Dense(4, 4, { rng: new Rng(1) })]);
    const w = bitsOf(model.layers[0]!.parameters().weight!.dataSync() as Float32Array);
    let calls = 0;
    await expect(
      sensitivityAnalysis(model, {
        evaluate: () => {
          if (++calls === 3) throw new Error('boom');
          return 1;
        },
      }),
    ).rejects.toThrow('boom');
    expect(bitsOf(model.layers[0]!.parameters().weight!.dataSync() as Float32Array)).toEqual(w);
    model.dispose();
  });

  const result = {
    baseline: 0.9,
    rows: [
      { layer: 'conv1', sparsity: 0, accuracy: 0.9, threshold: 0 },
      { layer: 'conv1', sparsity: 0.5, accuracy: 0.895, threshold: 0.1 },
      { layer: 'conv1', sparsity: 0.8, accuracy: 0.7, threshold: 0.3 },
      { layer: 'conv1', sparsity: 0.9, accuracy: 0.89, threshold: 0.5 },
      { layer: 'fc "a", b', sparsity: 0, accuracy: 0.9, threshold: 0 },
      { layer: 'fc "a", b', sparsity: 0.5, accuracy: 0.9, threshold: 0.01 },
      { layer: 'fc "a", b', sparsity: 0.8, accuracy: 0.89, threshold: 0.02 },
      { layer: 'fc "a", b', sparsity: 0.9, accuracy: 0.85, threshold: 0.04 },
    ],
  };

  it('chooses per-layer sparsities and thresholds from an accuracy tolerance', () => {
    const choice = chooseSparsities(result, 0.01);
    expect(choice).toEqual([
      // 0.9 is within tolerance again, but only after 0.8 broke it
      { layer: 'conv1', sparsity: 0.5, accuracy: 0.895, threshold: 0.1 },
      { layer: 'fc "a", b', sparsity: 0.8, accuracy: 0.89, threshold: 0.02 },
    ]);
    expect(() => chooseSparsities(result, -1)).toThrow(/tolerance/);
  });

  it('writes CSV (quoted names), an SVG and a PNG plot', () => {
    const csv = sensitivityCsv(result).split('\n');
    expect(csv[0]).toBe('layer,sparsity,accuracy,threshold');
    expect(csv[2]).toBe('conv1,0.5,0.895,0.1');
    expect(csv[5]).toBe('"fc ""a"", b",0,0.9,0');
    expect(csv).toHaveLength(10);
    const svg = sensitivitySvg(result);
    expect(svg).toContain('<polyline');
    expect(svg).toContain('fc &quot;a&quot;, b');
    const png = sensitivityPng(result, { width: 200, height: 120 });
    // PNG signature, then IHDR: width, height, bit depth 8, colour type 2 (RGB)
    expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const ihdr = new DataView(png.buffer, png.byteOffset + 16, 10);
    expect([ihdr.getUint32(0), ihdr.getUint32(4), ihdr.getUint8(8), ihdr.getUint8(9)]).toEqual([
      200, 120, 8, 2,
    ]);
    const px = sensitivityPixels(result, { width: 200, height: 120 });
    const count = (r: number, g: number, b: number) => {
      let n = 0;
      for (let i = 0; i < px.length; i += 3) if (px[i] === r && px[i + 1] === g && px[i + 2] === b) n++;
      return n;
    };
    // both layers' colours are drawn, the first one's line dips to the bottom at sparsity 0.8
    expect(count(31, 119, 180)).toBeGreaterThan(100);
    expect(count(214, 39, 40)).toBeGreaterThan(100);
    const bottom = 120 - 20;
    const x08 = Math.round(20 + 0.8 * 160);
    expect([px[(bottom * 200 + x08) * 3], px[(bottom * 200 + x08) * 3 + 1]]).toEqual([31, 119]);
    expect(() => sensitivityPng(result, { width: 10, height: 10 })).toThrow(/size/);
  });
});
