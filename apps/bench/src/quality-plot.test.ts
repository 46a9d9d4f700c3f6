// quality-plot.ts: the series per seed and side (null and non-finite FDs left out, the peer only where
// it ran), the PNG decoded back to its size and pixels (both sides' colours drawn), and the file writes.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { CHART_COLOURS } from '@lab/finetune';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkPlotPath,
  fdCurveSeries,
  fdCurvesPng,
  plotFileOption,
  type SeedCurves,
  writePlot,
} from './quality-plot.js';

const runs: SeedCurves[] = [
  {
    seed: 0,
    ours: [
      { step: 1000, fd: 300 },
      { step: 2000, fd: 80 },
      { step: 3000, fd: 55 },
    ],
    peer: [
      { step: 1000, fd: 318 },
      { step: 2000, fd: 89 },
      { step: 3000, fd: 44 },
    ],
  },
  {
    seed: 1,
    ours: [
      { step: 1000, fd: 597 },
      { step: 2000, fd: null },
      { step: 3000, fd: Number.NaN },
    ],
    peer: [],
  },
];

/** A PNG's RGB pixels: the IDAT stream inflated and un-filtered (8-bit RGB, no interlace). */
function decodePng(png: Uint8Array): { width: number; height: number; px: Uint8Array } {
  const view = Buffer.from(png);
  expect(Array.from(view.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < view.length; ) {
    const length = view.readUInt32BE(at);
    const type = view.toString('latin1', at + 4, at + 8);
    const body = view.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([body[8], body[9], body[12]]).toEqual([8, 2, 0]); // 8-bit, RGB, not interlaced
    }
    if (type === 'IDAT') idat.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  expect(raw.length).toBe(height * (stride + 1));
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= 3 ? px[y * stride + i - 3]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + i]! : 0;
      const c = i >= 3 && y > 0 ? px[(y - 1) * stride + i - 3]! : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const predict = [0, a, b, (a + b) >> 1, paeth][filter];
      if (predict === undefined) throw new Error(`PNG filter ${filter}`);
      px[y * stride + i] = (x + predict) & 255;
    }
  }
  return { width, height, px };
}

const count = (px: Uint8Array, [r, g, b]: readonly number[]) => {
  let n = 0;
  for (let i = 0; i < px.length; i += 3) if (px[i] === r && px[i + 1] === g && px[i + 2] === b) n++;
  return n;
};

describe('FD curve plot', () => {
  it('has one series per seed and side, ours solid and the peer dashed in the same colour', () => {
    const series = fdCurveSeries(runs);
    expect(series.map((s) => s.name)).toEqual(['ours s0', 'torch s0', 'ours s1']);
    expect(series[0]).toMatchObject({ x: [1000, 2000, 3000], y: [300, 80, 55], dashed: false });
    expect(series[1]).toMatchObject({ x: [1000, 2000, 3000], y: [318, 89, 44], dashed: true });
    expect(series[1]!.colour).toEqual(series[0]!.colour);
    // the missing and non-finite FDs of seed 1 are left out, not drawn as 0
    expect(series[2]).toMatchObject({ x: [1000], y: [597] });
    expect(series[2]!.colour).not.toEqual(series[0]!.colour);
  });

  it('encodes a PNG of the chart size with both seeds drawn, and nothing when no FD is finite', () => {
    const png = fdCurvesPng('gan-quality', runs)!;
    const { width, height, px } = decodePng(png);
    expect([width, height]).toEqual([760, 440]);
    expect(px.length).toBe(760 * 440 * 3);
    const white = count(px, [255, 255, 255]);
    expect(white).toBeGreaterThan(0.5 * width * height);
    expect(white).toBeLessThan(width * height);
    // seed 0's lines (solid and dashed) take more pixels than seed 1's lone marker and legend entry
    const s0 = count(px, CHART_COLOURS[0]!);
    const s1 = count(px, CHART_COLOURS[1]!);
    expect(s1).toBeGreaterThan(0);
    expect(s0).toBeGreaterThan(2 * s1);
    expect(fdCurvesPng('x', [{ seed: 0, ours: [{ step: 1, fd: null }], peer: [] }])).toBeNull();
    expect(fdCurvesPng('x', [])).toBeNull();
  });
});

describe('plot files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-quality-plot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the PNG (creating its folder) and leaves no probe or temporary file', () => {
    const path = join(dir, 'sub', 'fd.png');
    checkPlotPath(path);
    expect(existsSync(join(dir, 'sub'))).toBe(true);
    const png = fdCurvesPng('wgan-quality', runs)!;
    writePlot(path, png);
    expect(new Uint8Array(readFileSync(path))).toEqual(png);
    expect(readFileSync(path).length).toBe(png.length);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['fd.png']);
  });

  it('refuses a name that is not a .png and a folder it cannot create, naming the file', () => {
    expect(() => checkPlotPath(join(dir, 'fd.txt'))).toThrow(/--plot .*fd\.txt: expected a \.png file name/);
    expect(() => plotFileOption('fd.PNG.txt')).toThrow('--plot fd.PNG.txt: expected a .png file name');
    expect(plotFileOption('out/fd.png')).toBe('out/fd.png');
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expect(() => checkPlotPath(join(file, 'fd.png'))).toThrow(/--plot .*a-file\/fd\.png: cannot write there/);
    expect(() => writePlot(join(file, 'fd.png'), new Uint8Array(1))).toThrow(/cannot write the plot/);
  });
});
