// Layout conversion between PyTorch and @lab (TensorFlow.js layouts): convolution filters
// [out, in, kh, kw] -> [kh, kw, in, out], transposed-convolution filters [in, out, kh, kw] ->
// [kh, kw, out, in] (the same permutation), linear weights [out, in] -> [in, out]; and the rows of a
// linear layer that reads a flattened feature map, whose order is (c, h, w) in PyTorch's NCHW and
// (h, w, c) in our NHWC.
import { Conv2d, ConvTranspose2d, Dense, type Module } from '@lab/core';
import { WeightsFormatError } from './errors.js';

export type HostValues = Float32Array | Int32Array;

/** Transposes a row-major array of `shape` so that output axis i is input axis perm[i]. */
export function permuteAxes(
  values: HostValues,
  shape: readonly number[],
  perm: readonly number[],
): { values: HostValues; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * shape[i + 1]!;
  const stride = perm.map((p) => inStrides[p]!);
  const out = new (values.constructor as { new (n: number): HostValues })(values.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += index[i]! * stride[i]!;
    out[o] = values[src]!;
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i]! < outShape[i]!) break;
      index[i] = 0;
    }
  }
  return { values: out, shape: outShape };
}

/** A [c*h*w, out] matrix (rows in NCHW flatten order) with its rows reordered to NHWC flatten order. */
export function chwRowsToHwc(
  values: HostValues,
  [c, h, w]: readonly [number, number, number],
  out: number,
): HostValues {
  const result = new (values.constructor as { new (n: number): HostValues })(values.length);
  for (let cc = 0; cc < c; cc++) {
    for (let hh = 0; hh < h; hh++) {
      for (let ww = 0; ww < w; ww++) {
        const from = (cc * h * w + hh * w + ww) * out;
        const to = ((hh * w + ww) * c + cc) * out;
        result.set(values.subarray(from, from + out), to);
      }
    }
  }
  return result;
}

/** PyTorch's names for BatchNorm buffers -> ours. */
export function torchLocalName(local: string): string {
  if (local === 'running_mean') return 'runningMean';
  if (local === 'running_var') return 'runningVar';
  return local;
}

/** A [rows, c*h*w] matrix (columns in NCHW flatten order) with its columns reordered to NHWC order. */
export function chwColumnsToHwc(
  values: HostValues,
  rows: number,
  [c, h, w]: readonly [number, number, number],
): HostValues {
  const result = new (values.constructor as { new (n: number): HostValues })(values.length);
  const cols = c * h * w;
  for (let r = 0; r < rows; r++) {
    for (let cc = 0; cc < c; cc++) {
      for (let p = 0; p < h * w; p++) result[r * cols + p * c + cc] = values[r * cols + cc * h * w + p]!;
    }
  }
  return result;
}

/** How a PyTorch linear layer meets a feature map: reads one flattened, or writes one to be unflattened. */
export interface FeatureMapLinks {
  /** [c, h, w] of the map flattened into the layer's input (PyTorch's Flatten before it). */
  flattenedFrom?: readonly [number, number, number];
  /** [c, h, w] of the map its output is reshaped into (PyTorch's Unflatten or view after it). */
  unflattenedTo?: readonly [number, number, number];
  /** The layer's path, for error messages. */
  path?: string;
}

const volume = (s: readonly [number, number, number]) => s[0] * s[1] * s[2];

function checkVolume(path: string, option: string, s: readonly [number, number, number], size: number): void {
  if (volume(s) !== size) {
    throw new WeightsFormatError(
      'BadOption',
      `${option}.${path}`,
      `[${s.join(', ')}] holds ${volume(s)} features but the layer has ${size}`,
    );
  }
}

/**
 * Converts a PyTorch tensor for the model tensor `local` of `module` to our layout. `links` says
 * whether a linear layer reads or writes a flattened [c, h, w] feature map. Other tensors pass unchanged.
 */
export function torchToLab(
  module: Module,
  local: string,
  values: HostValues,
  shape: number[],
  links: FeatureMapLinks = {},
): { values: HostValues; shape: number[] } {
  if (module instanceof Dense && local === 'bias' && links.unflattenedTo && shape.length === 1) {
    checkVolume(links.path ?? module.name, 'unflattenedTo', links.unflattenedTo, shape[0]!);
    return { values: chwColumnsToHwc(values, 1, links.unflattenedTo), shape };
  }
  if (local !== 'weight') return { values, shape };
  if ((module instanceof Conv2d || module instanceof ConvTranspose2d) && shape.length === 4) {
    return permuteAxes(values, shape, [2, 3, 1, 0]);
  }
  if (module instanceof Dense && shape.length === 2) {
    let t = permuteAxes(values, shape, [1, 0]);
    const [rows, out] = t.shape as [number, number];
    if (links.flattenedFrom) {
      checkVolume(links.path ?? module.name, 'flattenedFrom', links.flattenedFrom, rows);
      t = { values: chwRowsToHwc(t.values, links.flattenedFrom, out), shape: t.shape };
    }
    if (links.unflattenedTo) {
      checkVolume(links.path ?? module.name, 'unflattenedTo', links.unflattenedTo, out);
      t = { values: chwColumnsToHwc(t.values, rows, links.unflattenedTo), shape: t.shape };
    }
    return t;
  }
  return { values, shape };
}
