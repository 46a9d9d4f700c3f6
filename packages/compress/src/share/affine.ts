// 8-bit affine quantization (TFLite / PyTorch): q = clamp(round(x / scale) + zeroPoint, qmin, qmax),
// x' = (q - zeroPoint) x scale, per tensor or per channel, with min/max calibration. The range is
// widened to include 0 so that zero (pruned weights, padding) is exactly representable.

export interface AffineParams {
  /** One scale and zero point per tensor, or per channel along `axis`. */
  scale: Float32Array;
  zeroPoint: Int32Array;
  axis?: number;
  qmin: number;
  qmax: number;
}

export interface QuantizeOptions {
  /** 'int8' ([-128, 127], default) or 'uint8' ([0, 255]). */
  dtype?: 'int8' | 'uint8';
  /** Per-channel quantization along this axis (e.g. the last axis of a kernel); per tensor when absent. */
  axis?: number;
}

const ranges = { int8: [-128, 127], uint8: [0, 255] } as const;

/** Running min/max over calibration batches (per tensor, or per channel along the last axis). */
export class MinMaxObserver {
  min: Float64Array;
  max: Float64Array;
  private seen = false;
  constructor(readonly channels = 1) {
    if (!Number.isInteger(channels) || channels < 1)
      throw new RangeError(`MinMaxObserver: channels must be >= 1, got ${channels}`);
    this.min = new Float64Array(channels).fill(Number.POSITIVE_INFINITY);
    this.max = new Float64Array(channels).fill(Number.NEGATIVE_INFINITY);
  }
  /** Values in row-major order with the channel axis last (ignored when channels = 1). */
  observe(values: ArrayLike<number>): void {
    const c = this.channels;
    if (values.length % c !== 0)
      throw new RangeError(`MinMaxObserver: ${values.length} values do not fill ${c} channels`);
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (!Number.isFinite(x)) throw new RangeError(`MinMaxObserver: value ${i} is ${x}`);
      const ch = i % c;
      if (x < this.min[ch]!) this.min[ch] = x;
      if (x > this.max[ch]!) this.max[ch] = x;
    }
    if (values.length) this.seen = true;
  }
  /** Scale and zero point from the observed ranges. */
  params(dtype: 'int8' | 'uint8' = 'int8'): AffineParams {
    if (!this.seen) throw new Error('MinMaxObserver: no values observed');
    return affineParamsFromRange(this.min, this.max, dtype, this.channels > 1 ? -1 : undefined);
  }
}

/** Scale and zero point for each [min, max] (widened to include 0). */
export function affineParamsFromRange(
  min: ArrayLike<number>,
  max: ArrayLike<number>,
  dtype: 'int8' | 'uint8' = 'int8',
  axis?: number,
): AffineParams {
  const [qmin, qmax] = ranges[dtype];
  const n = min.length;
  const scale = new Float32Array(n);
  const zeroPoint = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.min(0, min[i]!);
    const hi = Math.max(0, max[i]!);
    const s = Math.fround((hi - lo) / (qmax - qmin)) || 1;
    scale[i] = s;
    zeroPoint[i] = Math.min(qmax, Math.max(qmin, Math.round(qmin - lo / s)));
  }
  return { scale, zeroPoint, qmin, qmax, ...(axis === undefined ? {} : { axis }) };
}

function channelOf(shape: readonly number[], axis: number | undefined): (i: number) => number {
  if (axis === undefined) return () => 0;
  const a = axis < 0 ? shape.length + axis : axis;
  const inner = shape.slice(a + 1).reduce((x, y) => x * y, 1);
  const size = shape[a]!;
  return (i) => Math.floor(i / inner) % size;
}

/** Calibrates on the values themselves (min/max) and returns the parameters. */
export function calibrate(
  values: ArrayLike<number>,
  shape: readonly number[],
  options: QuantizeOptions = {},
): AffineParams {
  const { dtype = 'int8', axis } = options;
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== values.length)
    throw new RangeError(`calibrate: ${values.length} values for shape [${shape.join(', ')}]`);
  if (axis !== undefined && !(Number.isInteger(axis) && axis >= -shape.length && axis < shape.length))
    throw new RangeError(`calibrate: axis ${axis} is outside a rank-${shape.length} shape`);
  const channels = axis === undefined ? 1 : shape[axis < 0 ? shape.length + axis : axis]!;
  const ch = channelOf(shape, axis);
  const min = new Float64Array(channels).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(channels).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) throw new RangeError(`calibrate: value ${i} is ${x}`);
    const c = ch(i);
    if (x < min[c]!) min[c] = x;
    if (x > max[c]!) max[c] = x;
  }
  for (let c = 0; c < channels; c++) if (min[c] === Number.POSITIVE_INFINITY) min[c] = max[c] = 0;
  return affineParamsFromRange(min, max, dtype, axis);
}

/** Quantizes to integers in [qmin, qmax] (values outside the calibrated range saturate). */
export function quantize(values: ArrayLike<number>, shape: readonly number[], p: AffineParams): Int32Array {
  const ch = channelOf(shape, p.axis);
  return Int32Array.from({ length: values.length }, (_, i) => {
    const c = ch(i);
    return Math.min(p.qmax, Math.max(p.qmin, Math.round(values[i]! / p.scale[c]!) + p.zeroPoint[c]!));
  });
}

export function dequantize(q: ArrayLike<number>, shape: readonly number[], p: AffineParams): Float32Array {
  const ch = channelOf(shape, p.axis);
  return Float32Array.from({ length: q.length }, (_, i) => {
    const c = ch(i);
    return (q[i]! - p.zeroPoint[c]!) * p.scale[c]!;
  });
}
