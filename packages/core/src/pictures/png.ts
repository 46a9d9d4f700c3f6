// Image batches to one PNG grid (encoding by fast-png, which runs in Node and browsers).
import { encode } from 'fast-png';

export interface GridOptions {
  /** Images per row. Default ceil(sqrt(n)). */
  columns?: number;
  /** Pixels between tiles. Default 2. */
  padding?: number;
  /** Value range of the input, mapped to 0..255. Default [-1, 1] (a tanh generator). */
  range?: [number, number];
  /** Grey level (0..255) of the padding. Default 0. */
  background?: number;
  /** Optional coloured frame per image (RGB), for example green or red for right or wrong predictions. */
  frames?: ReadonlyArray<[number, number, number] | undefined>;
}

/**
 * Tiles `n` images of [height, width, channels] (channels 1 or 3), given as one flat array in NHWC
 * order, into a PNG.
 */
export function imageGridPng(
  pixels: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  options: GridOptions = {},
): Uint8Array {
  const [n, h, w, c] = shape;
  if (c !== 1 && c !== 3) throw new RangeError(`imageGridPng: channels must be 1 or 3, got ${c}`);
  if (pixels.length !== n * h * w * c) {
    throw new RangeError(`imageGridPng: ${pixels.length} values do not fill shape [${shape.join(', ')}]`);
  }
  if (n === 0) throw new RangeError('imageGridPng: no images');
  const { columns = Math.ceil(Math.sqrt(n)), padding = 2, range = [-1, 1], background = 0, frames } = options;
  const rows = Math.ceil(n / columns);
  const width = columns * (w + padding) + padding;
  const height = rows * (h + padding) + padding;
  const rgb = c === 3 || frames !== undefined;
  const channels = rgb ? 3 : 1;
  const out = new Uint8Array(width * height * channels).fill(background);
  const [lo, hi] = range;
  const scale = 255 / (hi - lo);
  for (let k = 0; k < n; k++) {
    const ox = padding + (k % columns) * (w + padding);
    const oy = padding + Math.floor(k / columns) * (h + padding);
    const frame = frames?.[k];
    if (frame && padding > 0) {
      for (let y = oy - 1; y <= oy + h; y++) {
        for (let x = ox - 1; x <= ox + w; x++) {
          const o = (y * width + x) * 3;
          out[o] = frame[0];
          out[o + 1] = frame[1];
          out[o + 2] = frame[2];
        }
      }
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < channels; ch++) {
          const v = pixels[((k * h + y) * w + x) * c + (c === 3 ? ch : 0)]!;
          const byte = Math.max(0, Math.min(255, Math.round((v - lo) * scale)));
          out[((oy + y) * width + ox + x) * channels + ch] = Number.isFinite(byte) ? byte : 0;
        }
      }
    }
  }
  return encode({ width, height, data: out, channels, depth: 8 });
}
