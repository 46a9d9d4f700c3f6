// The sub-pixel decomposition of Conv2DBackpropInput.ts: per stride phase, which filter taps and dy
// rows a phase reads and the stride-1 sub-filter it convolves dy with (shared by the composition and
// the threaded path, conv2d-backprop-input-threads.ts).
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmHeapBackend } from './kernel-utils.js';

export interface AxisPlan {
  /** Filter taps of this phase: kh = stride * j + phase, j < taps. */
  phase: number;
  taps: number;
  /** dy rows [sliceStart, sliceEnd) are read; pads of the stride-1 conv over them. */
  sliceStart: number;
  sliceEnd: number;
  padBefore: number;
  padAfter: number;
  /** Output rows of this phase (y = stride * q + r for q < outLen). */
  outLen: number;
}

/** One spatial axis of one phase r of the sub-pixel decomposition. */
export function planAxis(
  r: number,
  stride: number,
  kernel: number,
  padTop: number,
  dyLen: number,
  xLen: number,
): AxisPlan {
  const phase = (r + padTop) % stride;
  const carry = Math.floor((r + padTop) / stride);
  const taps = phase < kernel ? Math.ceil((kernel - phase) / stride) : 0;
  const outLen = r < xLen ? Math.ceil((xLen - r) / stride) : 0;
  // dx_r[q] = sum_j' dy[q - padBefore + j'] * flipped[j'], j' < taps
  let padBefore = taps - 1 - carry;
  let padAfter = outLen - dyLen - padBefore + taps - 1;
  let sliceStart = 0;
  let sliceEnd = dyLen;
  if (padBefore < 0) {
    sliceStart = -padBefore;
    padBefore = 0;
  }
  if (padAfter < 0) {
    sliceEnd = dyLen + padAfter;
    padAfter = 0;
  }
  return { phase, taps, sliceStart, sliceEnd, padBefore, padAfter, outLen };
}

/**
 * The stride-1 filter of one phase, [taps_y, taps_x, co, ci]: its tap (a, b) is the (co, ci) block of
 * filterT ([kh, kw, co, ci]) at kh = phase_y + sh (taps_y - 1 - a), kw = phase_x + sw (taps_x - 1 - b),
 * i.e. the phase's taps flipped. One copy per tap (the stock StridedSlice and Reverse this replaces
 * took ~55 ms per call for a 5x5x64x128 filter).
 */
export function phaseFilter(
  backend: WasmHeapBackend,
  filterT: TensorInfo,
  py: AxisPlan,
  px: AxisPlan,
  sh: number,
  sw: number,
): TensorInfo {
  const [, kw, co, ci] = filterT.shape as [number, number, number, number];
  const block = co * ci;
  const out = backend.makeOutput([py.taps, px.taps, co, ci], 'float32');
  const src = backend.typedArrayFromHeap(filterT);
  const dst = backend.typedArrayFromHeap(out);
  const heap = new Float32Array(src.buffer);
  const from = src.byteOffset / 4;
  let to = dst.byteOffset / 4;
  for (let a = 0; a < py.taps; a++) {
    const y = py.phase + sh * (py.taps - 1 - a);
    for (let b = 0; b < px.taps; b++) {
      const at = from + (y * kw + px.phase + sw * (px.taps - 1 - b)) * block;
      heap.copyWithin(to, at, at + block);
      to += block;
    }
  }
  return out;
}
