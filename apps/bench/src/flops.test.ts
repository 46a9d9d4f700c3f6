import { BatchNorm, Conv2d, ConvTranspose2d, Dense, initBackend, type Module, Rng } from '@lab/core';
import { dcganDiscriminator, dcganGenerator } from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH,
  dcganForwardFlops,
  dcganIterationFlops,
  dcganLayers,
  kernelMacs,
  type LayerShape,
  layerMacs,
  wgangpIterationFlops,
  Z,
} from './flops.js';

/** A tensor's values as a flat array ([h, w, c] or [k, k, a, b], row-major). */
const values = (t: tf.Tensor) => Array.from(t.dataSync());

interface Geometry {
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  k: number;
  stride: number;
  pad: number;
}

/**
 * PyTorch's Conv2d written as loops over output positions, taps and channels (weights [k, k, in, out]),
 * counting every multiply-add it performs; taps in the zero padding are multiplied too, as im2col does.
 */
function directConv(x: number[], w: number[], g: Geometry) {
  const outH = Math.floor((g.inH + 2 * g.pad - g.k) / g.stride) + 1;
  const outW = Math.floor((g.inW + 2 * g.pad - g.k) / g.stride) + 1;
  const y = new Array<number>(outH * outW * g.outC).fill(0);
  let macs = 0;
  for (let oy = 0; oy < outH; oy++)
    for (let ox = 0; ox < outW; ox++)
      for (let ky = 0; ky < g.k; ky++)
        for (let kx = 0; kx < g.k; kx++)
          for (let ci = 0; ci < g.inC; ci++)
            for (let co = 0; co < g.outC; co++) {
              const iy = oy * g.stride - g.pad + ky;
              const ix = ox * g.stride - g.pad + kx;
              const inside = iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW;
              const xv = inside ? x[(iy * g.inW + ix) * g.inC + ci]! : 0;
              y[(oy * outW + ox) * g.outC + co]! += xv * w[((ky * g.k + kx) * g.inC + ci) * g.outC + co]!;
              macs++;
            }
  return { y, outH, outW, macs };
}

/**
 * PyTorch's ConvTranspose2d (weights [k, k, out, in]) written as its definition: each input pixel
 * scatters every tap to output row iy * stride - pad + ky; like col2im, the products that land in the
 * cropped border are computed too. Counts every multiply-add it performs.
 */
function directConvTranspose(x: number[], w: number[], g: Geometry & { outputPadding: number }) {
  const outH = (g.inH - 1) * g.stride - 2 * g.pad + g.k + g.outputPadding;
  const outW = (g.inW - 1) * g.stride - 2 * g.pad + g.k + g.outputPadding;
  const y = new Array<number>(outH * outW * g.outC).fill(0);
  let macs = 0;
  for (let iy = 0; iy < g.inH; iy++)
    for (let ix = 0; ix < g.inW; ix++)
      for (let ky = 0; ky < g.k; ky++)
        for (let kx = 0; kx < g.k; kx++)
          for (let ci = 0; ci < g.inC; ci++)
            for (let co = 0; co < g.outC; co++) {
              const oy = iy * g.stride - g.pad + ky;
              const ox = ix * g.stride - g.pad + kx;
              const product =
                x[(iy * g.inW + ix) * g.inC + ci]! * w[((ky * g.k + kx) * g.outC + co) * g.inC + ci]!;
              macs++;
              if (oy >= 0 && oy < outH && ox >= 0 && ox < outW) y[(oy * outW + ox) * g.outC + co]! += product;
            }
  return { y, outH, outW, macs };
}

function expectClose(actual: number[], expected: number[]) {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...actual.map((a, i) => Math.abs(a - expected[i]!)));
  expect(worst).toBeLessThan(1e-4);
}

/**
 * The conv, transposed conv and dense layers of a net, with the shapes they see on one sample: read
 * from the modules themselves and a forward pass, not from flops.ts.
 */
function tracedLayers(net: { layers: Module[] }, input: number[]): LayerShape[] {
  const shapes: LayerShape[] = [];
  let h = tf.zeros([1, ...input]);
  for (const m of net.layers) {
    const next = m.forward(h);
    const [, inH, inW] = h.shape as number[];
    const [, outH, outW] = next.shape as number[];
    if (m instanceof Dense) {
      const [inFeatures, outFeatures] = m.weight.shape as [number, number];
      shapes.push({ kind: 'dense', inFeatures, outFeatures });
    } else if (m instanceof Conv2d) {
      const [k, , inChannels, outChannels] = m.weight.shape as number[];
      shapes.push({
        kind: 'conv',
        inChannels: inChannels!,
        outChannels: outChannels!,
        kernel: k!,
        outH: outH!,
        outW: outW!,
      });
    } else if (m instanceof ConvTranspose2d) {
      const [k, , outChannels, inChannels] = m.weight.shape as number[];
      shapes.push({
        kind: 'convTranspose',
        inChannels: inChannels!,
        outChannels: outChannels!,
        kernel: k!,
        inH: inH!,
        inW: inW!,
      });
    } else if (!(m instanceof BatchNorm) && Object.keys(m.trainableParameters()).length > 0) {
      // a layer with weights that this count does not know would be left out silently
      throw new Error(`uncounted layer ${m.name}`);
    }
    h.dispose();
    h = next;
  }
  h.dispose();
  return shapes;
}

describe('FLOP counts (flops.ts)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it("counts a stride-2 transposed convolution's multiply-adds as its direct definition performs them", () => {
    // the W1 generator's last layer in miniature: 5x5 taps, stride 2, PyTorch padding 2, output padding 1
    const g = { inH: 4, inW: 3, inC: 3, outC: 2, k: 5, stride: 2, pad: 2, outputPadding: 1 };
    const layer = new ConvTranspose2d(g.inC, g.outC, g.k, {
      stride: g.stride,
      padding: g.pad,
      outputPadding: g.outputPadding,
      bias: false,
      rng: new Rng(3),
    });
    const x = tf.randomNormal([1, g.inH, g.inW, g.inC], 0, 1, 'float32', 4);
    const y = layer.forward(x);
    const direct = directConvTranspose(values(x), values(layer.weight), g);
    // the loops compute what the layer computes, so their count is the layer's arithmetic
    expect(y.shape).toEqual([1, direct.outH, direct.outW, g.outC]);
    expectClose(values(y), direct.y);
    expect(
      layerMacs({
        kind: 'convTranspose',
        inChannels: g.inC,
        outChannels: g.outC,
        kernel: g.k,
        inH: g.inH,
        inW: g.inW,
      }),
    ).toBe(direct.macs);
    // output positions x taps x channels (the old count) is stride^2 = 4 times too many
    expect(direct.outH * direct.outW * g.k ** 2 * g.inC * g.outC).toBe(4 * direct.macs);
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('counts a transposed convolution as the forward convolution it is the input gradient of', () => {
    // conv 8x6x2 -> 4x3x3 (stride 2, pad 2); its transpose maps 4x3x3 back to 8x6x2
    const conv = { inH: 8, inW: 6, inC: 2, outC: 3, k: 5, stride: 2, pad: 2 };
    const layer = new Conv2d(conv.inC, conv.outC, conv.k, {
      stride: 2,
      padding: 2,
      bias: false,
      rng: new Rng(5),
    });
    const x = tf.randomNormal([1, conv.inH, conv.inW, conv.inC], 0, 1, 'float32', 6);
    const y = layer.forward(x);
    const direct = directConv(values(x), values(layer.weight), conv);
    expect(y.shape).toEqual([1, direct.outH, direct.outW, conv.outC]);
    expectClose(values(y), direct.y);
    expect(
      layerMacs({
        kind: 'conv',
        inChannels: conv.inC,
        outChannels: conv.outC,
        kernel: conv.k,
        outH: direct.outH,
        outW: direct.outW,
      }),
    ).toBe(direct.macs);
    const transposed = directConvTranspose(
      new Array(direct.outH * direct.outW * conv.outC).fill(1),
      new Array(conv.k * conv.k * conv.inC * conv.outC).fill(1),
      {
        inH: direct.outH,
        inW: direct.outW,
        inC: conv.outC,
        outC: conv.inC,
        k: 5,
        stride: 2,
        pad: 2,
        outputPadding: 1,
      },
    );
    expect([transposed.outH, transposed.outW]).toEqual([conv.inH, conv.inW]);
    expect(transposed.macs).toBe(direct.macs);
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('lists the layers of the nets @lab/gan builds for W1 and W2', () => {
    for (const width of [64, 32]) {
      const G = dcganGenerator({ width, rng: new Rng(0) });
      const D = dcganDiscriminator({ width, rng: new Rng(0), dropout: 0.3 });
      G.eval();
      D.eval();
      const before = tf.memory().numTensors;
      const traced = { g: tracedLayers(G, [Z]), d: tracedLayers(D, [28, 28, 1]) };
      expect(tf.memory().numTensors).toBe(before);
      expect(dcganLayers(width)).toEqual(traced);
      const total = (ls: LayerShape[]) => 2 * BATCH * ls.reduce((a, l) => a + layerMacs(l), 0);
      expect(dcganForwardFlops(width)).toEqual({ g: total(traced.g), d: total(traced.d) });
      G.dispose();
      D.dispose();
    }
  });

  it('gives W1 31.8 and W2 156.4 GFLOP per iteration, by hand from the layer shapes', () => {
    // multiply-adds per sample, written out: G = dense + three transposed convs by input positions
    const g = 100 * 7 * 7 * 256 + 7 * 7 * 256 * 128 * 25 + 7 * 7 * 128 * 64 * 25 + 14 * 14 * 64 * 1 * 25;
    const d = 14 * 14 * 1 * 64 * 25 + 7 * 7 * 64 * 128 * 25 + 6272;
    expect(g).toBe(51_744_000);
    expect(d).toBe(10_355_072);
    expect(dcganIterationFlops()).toBe(2 * 64 * (3 * g + 9 * d));
    expect(dcganIterationFlops()).toBe(31_798_738_944);
    expect(wgangpIterationFlops()).toBe(2 * 64 * (8 * g + 78 * d));
    expect(wgangpIterationFlops()).toBe(156_370_894_848);
  });
});

describe('kernelMacs (the --profile GFLOP/s of products and convolutions)', () => {
  it('counts a Conv2D as output size times kh kw ci', () => {
    expect(
      kernelMacs(
        'Conv2D',
        [
          [64, 14, 14, 64],
          [5, 5, 64, 128],
        ],
        [64, 7, 7, 128],
      ),
    ).toBe(64 * 49 * 128 * 25 * 64);
  });
  it('counts the two convolution gradients as the forward convolution they differentiate', () => {
    const fwd = 64 * 49 * 128 * 25 * 64;
    expect(
      kernelMacs(
        'Conv2DBackpropInput',
        [
          [64, 7, 7, 128],
          [5, 5, 64, 128],
        ],
        [64, 14, 14, 64],
      ),
    ).toBe(fwd);
    expect(
      kernelMacs(
        'Conv2DBackpropFilter',
        [
          [64, 14, 14, 64],
          [64, 7, 7, 128],
        ],
        [5, 5, 64, 128],
      ),
    ).toBe(fwd);
  });
  it("counts @lab's fused dense kernels as their product x [M, K] w [K, N]", () => {
    for (const name of ['LabDense', 'LabDenseRelu'])
      expect(kernelMacs(name, [[128, 784], [784, 300], [300]], [128, 300])).toBe(128 * 784 * 300);
  });
  it('counts a BatchMatMul with K from the side of a that is not the rows, transposed or not', () => {
    expect(
      kernelMacs(
        'BatchMatMul',
        [
          [128, 784],
          [784, 300],
        ],
        [128, 300],
      ),
    ).toBe(128 * 784 * 300);
    expect(
      kernelMacs(
        'BatchMatMul',
        [
          [128, 784],
          [128, 300],
        ],
        [784, 300],
      ),
    ).toBe(128 * 784 * 300);
    expect(
      kernelMacs(
        'BatchMatMul',
        [
          [2, 7, 5],
          [2, 5, 3],
        ],
        [2, 7, 3],
      ),
    ).toBe(2 * 7 * 5 * 3);
  });
  it('is null for other kernels and for a missing output shape', () => {
    expect(kernelMacs('Add', [[3], [3]], [3])).toBeNull();
    expect(
      kernelMacs(
        'Conv2D',
        [
          [1, 2, 2, 1],
          [1, 1, 1, 1],
        ],
        undefined,
      ),
    ).toBeNull();
  });
});
