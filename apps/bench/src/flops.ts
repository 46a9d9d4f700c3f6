// Constants and FLOP counts of the W1/W2 workloads of ../shared/BENCHMARKS.md; the networks are
// @lab/gan's DCGAN preset (dcganGenerator / dcganDiscriminator with their defaults).

export const Z = 100;
export const BATCH = 64;

/** What a layer's multiply-add count depends on (one sample; square kernels, as in the DCGAN nets). */
export type LayerShape =
  | { kind: 'dense'; inFeatures: number; outFeatures: number }
  | { kind: 'conv'; inChannels: number; outChannels: number; kernel: number; outH: number; outW: number }
  | {
      kind: 'convTranspose';
      inChannels: number;
      outChannels: number;
      kernel: number;
      inH: number;
      inW: number;
    };

/**
 * Multiply-adds of one sample through a layer, as PyTorch performs them (im2col / col2im products):
 * a convolution multiplies every tap of every input channel (padding included) at each OUTPUT
 * position; a transposed convolution scatters every tap at each INPUT position, which is the count
 * of the forward convolution it is the input gradient of. (Counting it by output positions instead
 * overstates a stride-s layer s*s times: the taps that would land between input pixels are zeros.)
 */
export function layerMacs(layer: LayerShape): number {
  switch (layer.kind) {
    case 'dense':
      return layer.inFeatures * layer.outFeatures;
    case 'conv':
      return layer.outH * layer.outW * layer.kernel ** 2 * layer.inChannels * layer.outChannels;
    case 'convTranspose':
      return layer.inH * layer.inW * layer.kernel ** 2 * layer.inChannels * layer.outChannels;
  }
}

/** The layers of @lab/gan's 28x28 DCGAN generator and discriminator of base width `width` (64 in W1/W2). */
export function dcganLayers(width = 64): { g: LayerShape[]; d: LayerShape[] } {
  const s = 7; // 28 / 4
  const k = 5;
  return {
    g: [
      { kind: 'dense', inFeatures: Z, outFeatures: s * s * 4 * width },
      { kind: 'convTranspose', inChannels: 4 * width, outChannels: 2 * width, kernel: k, inH: s, inW: s },
      { kind: 'convTranspose', inChannels: 2 * width, outChannels: width, kernel: k, inH: s, inW: s },
      { kind: 'convTranspose', inChannels: width, outChannels: 1, kernel: k, inH: 2 * s, inW: 2 * s },
    ],
    d: [
      { kind: 'conv', inChannels: 1, outChannels: width, kernel: k, outH: 2 * s, outW: 2 * s },
      { kind: 'conv', inChannels: width, outChannels: 2 * width, kernel: k, outH: s, outW: s },
      { kind: 'dense', inFeatures: s * s * 2 * width, outFeatures: 1 },
    ],
  };
}

const forwardFlops = (layers: LayerShape[]) => 2 * BATCH * layers.reduce((a, l) => a + layerMacs(l), 0);

/** Forward FLOPs (2 per multiply-add) of G and D for one batch of 64, for GFLOP/s figures. */
export function dcganForwardFlops(width = 64): { g: number; d: number } {
  const { g, d } = dcganLayers(width);
  return { g: forwardFlops(g), d: forwardFlops(d) };
}

/** W1 iteration as PyTorch performs it: G forward + backward (3 g), D forward x3 and backward over three batches (9 d). */
export function dcganIterationFlops(): number {
  const { g, d } = dcganForwardFlops();
  return 3 * g + 9 * d;
}

/**
 * W2 iteration: per critic step, G forward (g), D on real, fake and interpolates (3 d), the input
 * gradient (2 d), then backward through all of it including the double backprop (about 2x: 10 d);
 * then the generator update (3 g + 3 d).
 */
export function wgangpIterationFlops(): number {
  const { g, d } = dcganForwardFlops();
  return 5 * (g + 15 * d) + 3 * g + 3 * d;
}

/**
 * Multiply-adds of a product or convolution kernel from its shapes (null for other kernels): a
 * Conv2D's output times its filter's kh kw ci (and the same product for its two gradients); a BatchMatMul's output times the side of `a` that is
 * not the output's rows (its K).
 */
export function kernelMacs(name: string, inputs: number[][], output: number[] | undefined): number | null {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  if (!output) return null;
  if (name === 'Conv2D' && inputs[1]?.length === 4) {
    const [kh, kw, ci] = inputs[1] as [number, number, number];
    return size(output) * kh * kw * ci;
  }
  // inputs {dy, filter}: every dy element meets kh kw ci taps
  if (name === 'Conv2DBackpropInput' && inputs[0] && inputs[1]?.length === 4) {
    const [kh, kw, ci] = inputs[1] as [number, number, number];
    return size(inputs[0]) * kh * kw * ci;
  }
  // inputs {x, dy}, output the filter [kh, kw, ci, co]: each tap sums over n oh ow positions
  if (name === 'Conv2DBackpropFilter' && inputs[1]?.length === 4 && output.length === 4) {
    return size(output) * (size(inputs[1]) / output[3]!);
  }
  // @lab's fused dense layer (x [M, K] times w [K, N], bias and ReLU in the epilogue)
  if ((name === 'LabDense' || name === 'LabDenseRelu') && inputs[0]?.length === 2) {
    return size(output) * inputs[0][1]!;
  }
  if (name === 'BatchMatMul' && inputs[0] && inputs[0].length >= 2) {
    const [r, c] = inputs[0].slice(-2) as [number, number];
    const m = output[output.length - 2]!;
    return size(output) * (r === m ? c : r);
  }
  return null;
}
