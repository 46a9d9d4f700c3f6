// The ops of W1 and W2 (../shared/BENCHMARKS.md) on W1's shapes (batch 64, width 64, z = 100), as the
// precision bench runs them on both sides. The list is handed to the peer (peers/precision_peer.py) as
// JSON, so that both sides read one definition. Layouts are ours: NHWC images, dense kernels
// [in, out], conv filters [kh, kw, in, out], transposed-conv filters [kh, kw, out, in].
import { BATCH, Z } from './flops.js';

const WIDTH = 64;

export type OpSpec =
  | { op: string; kind: 'conv'; x: number[]; w: number[]; stride: number; pad: number; bias: boolean }
  | {
      op: string;
      kind: 'convTranspose';
      x: number[];
      w: number[];
      stride: number;
      pad: number;
      outPad: number;
    }
  | { op: string; kind: 'dense'; x: number[]; w: number[]; bias: boolean }
  | { op: string; kind: 'batchNorm'; x: number[]; momentum: number; eps: number }
  | { op: string; kind: 'leakyRelu'; x: number[]; alpha: number }
  | { op: string; kind: 'dropout'; x: number[]; rate: number }
  | { op: string; kind: 'bce' | 'wasserstein'; logits: number[] }
  | { op: string; kind: 'gradientPenalty'; images: number[]; width: number; lambda: number }
  | {
      op: string;
      kind: 'adam';
      param: number[];
      lr: number;
      b1: number;
      b2: number;
      eps: number;
      steps: number;
    };

/** Output shape of a 5x5 conv or transposed conv with PyTorch's integer padding. */
export function convOutputShape(spec: OpSpec): number[] {
  if (spec.kind === 'conv') {
    const [n, h, w] = spec.x as [number, number, number, number];
    const k = spec.w[0]!;
    const size = (d: number) => Math.floor((d + 2 * spec.pad - k) / spec.stride) + 1;
    return [n, size(h), size(w), spec.w[3]!];
  }
  if (spec.kind === 'convTranspose') {
    const [n, h, w] = spec.x as [number, number, number, number];
    const k = spec.w[0]!;
    const size = (d: number) => (d - 1) * spec.stride - 2 * spec.pad + k + spec.outPad;
    return [n, size(h), size(w), spec.w[2]!];
  }
  if (spec.kind === 'dense') return [spec.x[0]!, spec.w[1]!];
  throw new RangeError(`${spec.op}: not a conv or dense op`);
}

/** Every op of W1 and W2 with W1's shapes. */
export function precisionOps(): OpSpec[] {
  const w = WIDTH;
  const img = [BATCH, 28, 28, 1];
  return [
    // discriminator (W1; W2's critic without dropout)
    { op: 'conv D.c1', kind: 'conv', x: img, w: [5, 5, 1, w], stride: 2, pad: 2, bias: true },
    {
      op: 'conv D.c2',
      kind: 'conv',
      x: [BATCH, 14, 14, w],
      w: [5, 5, w, 2 * w],
      stride: 2,
      pad: 2,
      bias: true,
    },
    { op: 'leakyRelu D.c1', kind: 'leakyRelu', x: [BATCH, 14, 14, w], alpha: 0.2 },
    { op: 'dropout D.c1', kind: 'dropout', x: [BATCH, 14, 14, w], rate: 0.3 },
    { op: 'dense D.fc', kind: 'dense', x: [BATCH, 7 * 7 * 2 * w], w: [7 * 7 * 2 * w, 1], bias: true },
    // generator
    { op: 'dense G.fc', kind: 'dense', x: [BATCH, Z], w: [Z, 7 * 7 * 4 * w], bias: false },
    { op: 'batchNorm1d G.bn0', kind: 'batchNorm', x: [BATCH, 7 * 7 * 4 * w], momentum: 0.1, eps: 1e-5 },
    {
      op: 'convT G.c1',
      kind: 'convTranspose',
      x: [BATCH, 7, 7, 4 * w],
      w: [5, 5, 2 * w, 4 * w],
      stride: 1,
      pad: 2,
      outPad: 0,
    },
    { op: 'batchNorm2d G.bn1', kind: 'batchNorm', x: [BATCH, 7, 7, 2 * w], momentum: 0.1, eps: 1e-5 },
    {
      op: 'convT G.c2',
      kind: 'convTranspose',
      x: [BATCH, 7, 7, 2 * w],
      w: [5, 5, w, 2 * w],
      stride: 2,
      pad: 2,
      outPad: 1,
    },
    { op: 'batchNorm2d G.bn2', kind: 'batchNorm', x: [BATCH, 14, 14, w], momentum: 0.1, eps: 1e-5 },
    {
      op: 'convT G.c3',
      kind: 'convTranspose',
      x: [BATCH, 14, 14, w],
      w: [5, 5, 1, w],
      stride: 2,
      pad: 2,
      outPad: 1,
    },
    // losses (W1: BCE with logits; W2: Wasserstein) and W2's gradient penalty
    { op: 'bce', kind: 'bce', logits: [BATCH, 1] },
    { op: 'wasserstein', kind: 'wasserstein', logits: [BATCH, 1] },
    { op: 'gradientPenalty D', kind: 'gradientPenalty', images: img, width: w, lambda: 10 },
    // Adam on the largest tensor (G.fc's kernel), with W1's and W2's hyper-parameters
    {
      op: 'adam W1',
      kind: 'adam',
      param: [Z, 7 * 7 * 4 * w],
      lr: 2e-4,
      b1: 0.5,
      b2: 0.999,
      eps: 1e-8,
      steps: 5,
    },
    { op: 'adam W2', kind: 'adam', param: [Z, 7 * 7 * 4 * w], lr: 1e-4, b1: 0, b2: 0.9, eps: 1e-8, steps: 5 },
  ];
}

/**
 * The inputs the peer draws for `spec` (peers/precision_peer.py's `inputs`), by name, with their
 * shapes in our layouts: the files `<i>.in.<name>.npy` the bench expects and checks.
 */
export function precisionInputShapes(spec: OpSpec): Map<string, number[]> {
  switch (spec.kind) {
    case 'conv':
      return new Map([
        ['x', spec.x],
        ['w', spec.w],
        ...(spec.bias ? [['b', [spec.w[3]!]] as [string, number[]]] : []),
        ['dy', convOutputShape(spec)],
      ]);
    case 'convTranspose':
      return new Map([
        ['x', spec.x],
        ['w', spec.w],
        ['dy', convOutputShape(spec)],
      ]);
    case 'dense':
      return new Map([
        ['x', spec.x],
        ['w', spec.w],
        ...(spec.bias ? [['b', [spec.w[1]!]] as [string, number[]]] : []),
        ['dy', convOutputShape(spec)],
      ]);
    case 'batchNorm': {
      const c = [spec.x[spec.x.length - 1]!];
      return new Map([
        ['x', spec.x],
        ['gamma', c],
        ['beta', c],
        ['runningMean', c],
        ['runningVar', c],
        ['dy', spec.x],
      ]);
    }
    case 'leakyRelu':
      return new Map([
        ['x', spec.x],
        ['dy', spec.x],
      ]);
    case 'dropout':
      return new Map([
        ['x', spec.x],
        ['keep', spec.x],
        ['dy', spec.x],
      ]);
    case 'bce':
    case 'wasserstein':
      return new Map([
        ['real', spec.logits],
        ['fake', spec.logits],
      ]);
    case 'gradientPenalty': {
      const w = spec.width;
      return new Map([
        ['0.weight', [5, 5, 1, w]],
        ['0.bias', [w]],
        ['2.weight', [5, 5, w, 2 * w]],
        ['2.bias', [2 * w]],
        ['5.weight', [49 * 2 * w, 1]],
        ['5.bias', [1]],
        ['real', spec.images],
        ['fake', spec.images],
        ['eps', [spec.images[0]!]],
      ]);
    }
    case 'adam':
      return new Map([
        ['param', spec.param],
        ['grads', [spec.steps, ...spec.param]],
      ]);
  }
}
