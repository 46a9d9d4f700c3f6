import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { maxRelativeError, relaxedSimdReachable, seededValues } from '../../testing/index.js';
import { type ConvGeometry, packedFloats } from './conv-geometry.js';
import { ConvThreads } from './conv-threads.js';

// no tensor is resident here: every call copies its operands in
const noRecords = { recordOf: () => undefined };

// The pool directly, without the runtime: a filter packed here as pack_panels documents it
// (packed[p][k][j] = w[k][8p + j], zero past co) and the threaded convolution compared with a plain
// loop over the same NHWC definition.

function packPanels(w: Float32Array, K: number, co: number): Float32Array {
  const panels = Math.ceil(co / 8);
  const out = new Float32Array(panels * K * 8);
  for (let p = 0; p < panels; p++)
    for (let k = 0; k < K; k++)
      for (let j = 0; j < 8; j++) if (8 * p + j < co) out[(p * K + k) * 8 + j] = w[k * co + 8 * p + j]!;
  return out;
}

function convReference(x: Float32Array, w: Float32Array, g: ConvGeometry): Float32Array {
  const y = new Float32Array(g.n * g.oh * g.ow * g.co);
  for (let b = 0; b < g.n; b++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++)
        for (let o = 0; o < g.co; o++) {
          let s = 0;
          for (let ky = 0; ky < g.kh; ky++)
            for (let kx = 0; kx < g.kw; kx++) {
              const iy = oy * g.sh + ky * g.dh - g.top;
              const ix = ox * g.sw + kx * g.dw - g.left;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
              for (let c = 0; c < g.ci; c++)
                s +=
                  x[((b * g.h + iy) * g.w + ix) * g.ci + c]! * w[((ky * g.kw + kx) * g.ci + c) * g.co + o]!;
            }
          y[((b * g.oh + oy) * g.ow + ox) * g.co + o] = s;
        }
  return y;
}

const geometries: ConvGeometry[] = [
  // 'same' 3x3 over 2 x 5 x 6: 60 output rows, not a multiple of 3 threads x 4
  {
    n: 2,
    h: 5,
    w: 6,
    ci: 3,
    oh: 5,
    ow: 6,
    co: 10,
    kh: 3,
    kw: 3,
    sh: 1,
    sw: 1,
    dh: 1,
    dw: 1,
    top: 1,
    left: 1,
  },
  // stride 2, dilation 2 in x, 9 channels in, 8 out
  {
    n: 1,
    h: 9,
    w: 11,
    ci: 9,
    oh: 4,
    ow: 4,
    co: 8,
    kh: 2,
    kw: 3,
    sh: 2,
    sw: 2,
    dh: 1,
    dw: 2,
    top: 0,
    left: 0,
  },
  // fewer output rows than threads x 4
  { n: 1, h: 2, w: 2, ci: 8, oh: 1, ow: 1, co: 3, kh: 2, kw: 2, sh: 1, sw: 1, dh: 1, dw: 1, top: 0, left: 0 },
];

describe('ConvThreads', () => {
  let pool: ConvThreads | null = null;
  beforeAll(async () => {
    // sets V8's relaxed-SIMD flag, which the FMA module needs
    await initBackend({ backend: 'wasm', fallback: false });
  });
  afterAll(() => pool?.dispose());

  it('starts no pool for fewer than two threads', () => {
    expect(ConvThreads.start(1, noRecords)).toBeNull();
    expect(ConvThreads.start(0, noRecords)).toBeNull();
  });

  it.skipIf(!relaxedSimdReachable()).each(geometries)(
    'splits rows between 3 threads with the results of a plain loop: %o',
    (g) => {
      pool ??= ConvThreads.start(3, noRecords);
      expect(pool).not.toBeNull();
      const K = g.kh * g.kw * g.ci;
      const x = seededValues(g.n * g.h * g.w * g.ci, 1);
      const w = seededValues(K * g.co, 2);
      const y = new Float32Array(g.n * g.oh * g.ow * g.co).fill(Number.NaN);
      pool!.conv2d({ data: x }, { data: packPanels(w, K, g.co) }, { data: y }, g);
      expect(maxRelativeError(y, convReference(x, w, g))).toBeLessThan(1e-5);
    },
  );

  it.skipIf(!relaxedSimdReachable())('refuses a packed filter of the wrong size, naming both sizes', () => {
    pool ??= ConvThreads.start(2, noRecords);
    const g = geometries[0]!;
    const y = new Float32Array(g.n * g.oh * g.ow * g.co);
    expect(() =>
      pool!.conv2d(
        { data: new Float32Array(g.n * g.h * g.w * g.ci) },
        { data: new Float32Array(10) },
        { data: y },
        g,
      ),
    ).toThrow(`conv2d: 10 packed floats for a filter that packs into ${packedFloats(g)}`);
  });

  it.skipIf(!relaxedSimdReachable())('is running until disposed', () => {
    const own = ConvThreads.start(2, noRecords)!;
    expect(own.threads).toBe(2);
    expect(own.running).toBe(true);
    own.dispose();
    expect(own.running).toBe(false);
  });

  it.skipIf(!relaxedSimdReachable())(
    'is available in Node; whenReady resolves once every worker waits, then a call runs on them',
    async () => {
      expect(ConvThreads.available()).toBe(true);
      const own = ConvThreads.start(3, noRecords)!;
      expect(await own.whenReady()).toBe(true);
      const g = geometries[0]!;
      const K = g.kh * g.kw * g.ci;
      const x = seededValues(g.n * g.h * g.w * g.ci, 3);
      const w = seededValues(K * g.co, 4);
      const y = new Float32Array(g.n * g.oh * g.ow * g.co).fill(Number.NaN);
      own.conv2d({ data: x }, { data: packPanels(w, K, g.co) }, { data: y }, g);
      expect(maxRelativeError(y, convReference(x, w, g))).toBeLessThan(1e-5);
      own.dispose();
      expect(await own.whenReady()).toBe(false);
    },
  );

  it.skipIf(!relaxedSimdReachable())(
    'im2col and gemm: the pool against plain loops (few channels; A transposed)',
    async () => {
      const own = ConvThreads.start(2, noRecords)!;
      // 2 channels, 3x3, stride 2, 'same'-like pads: patches as rows, then a 1x1 convolution
      const g: ConvGeometry = { ...geometries[0]!, ci: 2, co: 11, sh: 2, oh: 3 };
      const K = g.kh * g.kw * g.ci;
      const x = seededValues(g.n * g.h * g.w * g.ci, 5);
      const w = seededValues(K * g.co, 6);
      const y = new Float32Array(g.n * g.oh * g.ow * g.co).fill(Number.NaN);
      own.conv2d({ data: x }, { data: packPanels(w, K, g.co) }, { data: y }, g, { im2col: true });
      expect(maxRelativeError(y, convReference(x, w, g))).toBeLessThan(1e-5);
      // c [M, N] = a^T b, a given [K, M]
      const [M, Kg, N] = [13, 9, 19];
      const a = seededValues(Kg * M, 7);
      const b = seededValues(Kg * N, 8);
      const c = new Float32Array(M * N).fill(Number.NaN);
      own.gemm(
        { data: a },
        { data: packPanels(b, Kg, N) },
        { data: c },
        {
          M,
          K: Kg,
          N,
          transposeA: true,
          groupPanels: 1,
        },
      );
      const ref = new Float32Array(M * N);
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let k = 0; k < Kg; k++) s += a[k * M + m]! * b[k * N + n]!;
          ref[m * N + n] = s;
        }
      expect(maxRelativeError(c, ref)).toBeLessThan(1e-5);
      own.dispose();
    },
  );
});
