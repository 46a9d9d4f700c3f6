// A single matrix product (optionally + bias, then ReLU) on kernels/heap.c's gemm: either operand may
// be given transposed (the two products of a dense layer's gradient), which the kernel reads in place
// (A) or packs from directly (B), so no transpose is materialised; B's packed panels are kept per
// tensor in the runtime's PackedPanelCache (a weight is packed once per optimizer step, not per call).
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import type { WasmHeapBackend } from '../wasm/kernel-utils.js';

/** The packed panels of a group should stay in a core's L2 cache (as conv-geometry.ts). */
const GROUP_BYTES = 256 * 1024;

export interface GemmSpec {
  transposeA: boolean;
  transposeB: boolean;
  /** N floats added to every row, or none. */
  bias?: TensorInfo;
  activation: 'linear' | 'relu';
}

const ACT = { linear: 0, relu: 1 } as const;

/** The product's sizes from 2-D (or leading-1) operands, or null when they do not multiply. */
export function gemmSizes(
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): { M: number; K: number; N: number } | null {
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const [M, K] = transposeA ? [ac, ar] : [ar, ac];
  const [Kb, N] = transposeB ? [bc, br] : [br, bc];
  if (K !== Kb || [M, K, N].some((d) => d === undefined)) return null;
  return { M, K, N };
}

/**
 * c = act(op(a) op(b) + bias) into a new tensor of `outShape`; null where the heap kernels are not
 * bound (the caller then uses the stock path). Single products only (batch 1), float32.
 */
export function heapGemm(
  backend: WasmHeapBackend,
  a: TensorInfo,
  b: TensorInfo,
  spec: GemmSpec,
  outShape: number[],
): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (spec.bias && spec.bias.dtype !== 'float32'))
    return null;
  const sizes = gemmSizes(a, b, spec.transposeA, spec.transposeB);
  if (!sizes) return null;
  const { M, K, N } = sizes;
  if (spec.bias && spec.bias.shape.reduce((x, d) => x * d, 1) !== N) return null;
  const runtime = labRuntime(backend);
  const simd = runtime.heapKernels();
  const cache = runtime.packedPanels();
  if (!simd || !cache) return null;
  const out = backend.makeOutput(outShape, 'float32');
  if (M * N === 0) return out;
  const heap = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const packed = cache.panels({
    dataId: b.dataId,
    layout: spec.transposeB ? 'transposed' : 'rows',
    K,
    co: N,
    pack: (at) =>
      spec.transposeB ? simd.pack_panels_t(heap(b), at, K, N) : simd.pack_panels(heap(b), at, K, N),
  });
  // offsets after every allocation (packing may grow the heap; offsets stay, views would not)
  const [sam, sak] = spec.transposeA ? [1, M] : [K, 1];
  const group = Math.max(1, Math.floor(GROUP_BYTES / (Math.max(K, 1) * 8 * 4)));
  simd.gemm(
    heap(a),
    sam,
    sak,
    packed,
    heap(out),
    spec.bias ? heap(spec.bias) : 0,
    K,
    N,
    ACT[spec.activation],
    group,
    0,
    M,
  );
  return out;
}
