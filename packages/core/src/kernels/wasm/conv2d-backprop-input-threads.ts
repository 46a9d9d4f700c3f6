// The input gradient (a transposed convolution's forward) on @lab's kernel threads, for strides above
// 1. Conv2DBackpropInput.ts computes each stride phase as a convolution, copied out of the threads'
// memory, then pads, stacks and transposes the phases into the output on the calling thread (three
// more passes over the output there: about 2 ms of the calling thread per call for W1's 14 x 14 x 64
// layers). Here the threads scatter each phase's rows to their places in the output where they are
// computed, and the output is copied out once. The phase convolutions are those of the composition
// (the same sub-filters, packing and kernel), and the rest are copies: the same bits.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import { type ConvGeometry, packedFloats } from '../heap/conv-geometry.js';
import { MIN_THREADED_MACS, type TransposedPhase } from '../heap/conv-threads.js';
import { MIN_INPUT_CHANNELS } from './Conv2D.js';
import { phaseFilter, planAxis } from './conv2d-backprop-input-phases.js';
import { residentKey, type WasmHeapBackend } from './kernel-utils.js';

/** dy [n, oh, ow, co], the output [n, h, w, ci], the filter's taps, strides and leading pads (no dilation). */
export type InputGradientShape = Omit<ConvGeometry, 'dh' | 'dw'>;

/**
 * dx [n, h, w, ci] on the kernel threads from dy and filterT ([kh, kw, co, ci]), or null where the
 * composition runs instead: no threads, stride 1, dy with fewer than 8 channels, too little work,
 * or a phase that is empty or reads only part of dy.
 */
export function threadedConv2DBackpropInput(
  backend: WasmHeapBackend,
  dy: TensorInfo,
  filterT: TensorInfo,
  s: InputGradientShape,
): TensorInfo | null {
  const runtime = labRuntime(backend);
  const threads = runtime.convThreads();
  const simd = runtime.heapKernels();
  const cache = runtime.packedPanels();
  if (!threads || !simd || !cache || !runtime.heapKernelsFma()) return null;
  if (dy.dtype !== 'float32' || filterT.dtype !== 'float32' || s.sh * s.sw === 1 || s.co < MIN_INPUT_CHANNELS)
    return null;
  if (s.n * s.oh * s.ow * s.kh * s.kw * s.co * s.ci < MIN_THREADED_MACS) return null;
  const plans: {
    g: ConvGeometry;
    ry: number;
    rx: number;
    py: ReturnType<typeof planAxis>;
    px: ReturnType<typeof planAxis>;
  }[] = [];
  for (let ry = 0; ry < s.sh; ry++)
    for (let rx = 0; rx < s.sw; rx++) {
      const py = planAxis(ry, s.sh, s.kh, s.top, s.oh, s.h);
      const px = planAxis(rx, s.sw, s.kw, s.left, s.ow, s.w);
      const whole =
        py.sliceStart === 0 && py.sliceEnd === s.oh && px.sliceStart === 0 && px.sliceEnd === s.ow;
      if (py.taps === 0 || px.taps === 0 || py.outLen === 0 || px.outLen === 0 || !whole) return null;
      const g: ConvGeometry = {
        n: s.n,
        h: s.oh,
        w: s.ow,
        ci: s.co,
        oh: py.outLen,
        ow: px.outLen,
        co: s.ci,
        kh: py.taps,
        kw: px.taps,
        sh: 1,
        sw: 1,
        dh: 1,
        dw: 1,
        top: py.padBefore,
        left: px.padBefore,
      };
      plans.push({ g, ry, rx, py, px });
    }
  const out = backend.makeOutput([s.n, s.h, s.w, s.ci], 'float32');
  const subs = plans.map(({ py, px }) => phaseFilter(backend, filterT, py, px, s.sh, s.sw));
  try {
    const heap = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
    // each sub-filter packed as heapConv2D packs it (the composition's panels)
    const packedAt = plans.map(({ g }, i) => {
      const K = g.kh * g.kw * g.ci;
      return cache.panels({
        dataId: subs[i]!.dataId,
        layout: 'rows',
        K,
        co: g.co,
        pack: (at) => simd.pack_panels(heap(subs[i]!), at, K, g.co),
      });
    });
    // views after every allocation (the heap may have grown)
    const outView = backend.typedArrayFromHeap(out) as Float32Array;
    const phases: TransposedPhase[] = plans.map(({ g, ry, rx }, i) => ({
      packed: { data: new Float32Array(outView.buffer, packedAt[i]!, packedFloats(g)) },
      g,
      ry,
      rx,
    }));
    threads.transposedConv(
      { data: backend.typedArrayFromHeap(dy) as Float32Array, key: residentKey(backend, dy.dataId) },
      phases,
      outView,
      s,
    );
  } finally {
    for (const sub of subs) backend.disposeData(sub.dataId);
  }
  return out;
}
