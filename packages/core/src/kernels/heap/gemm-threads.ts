// A single matrix product above the threading threshold on @lab's kernel threads: gemm.ts's kernel,
// the rows of the output split between the threads (the same bits as one thread). Before, such a
// product ran as a 1x1 convolution on the threads (BatchMatMul.ts), which made a transposed operand
// first and packed it per call: W1's generator gradient dW = z^T dy [100, 64] x [64, 12544] took
// about 4x the CPU time of the one-thread gemm. Here A is read in place, transposed or not, and B's
// packing is the one heap/gemm.ts caches per tensor, kept resident in the threads' memory.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import { residentKey, type WasmHeapBackend } from '../wasm/kernel-utils.js';
import { gemmSizes } from './gemm.js';

/** Packed panels of a group should stay in a core's L2 cache (as gemm.ts). */
const GROUP_BYTES = 256 * 1024;

/**
 * c = op(a) op(b) into a new tensor of `outShape` on the kernel threads; null where there are none or
 * the heap kernels are not bound (the caller then goes elsewhere). Single products, float32.
 */
export function threadedGemm(
  backend: WasmHeapBackend,
  a: TensorInfo,
  b: TensorInfo,
  { transposeA, transposeB }: { transposeA: boolean; transposeB: boolean },
  outShape: number[],
): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const sizes = gemmSizes(a, b, transposeA, transposeB);
  const runtime = labRuntime(backend);
  const threads = runtime.convThreads();
  const simd = runtime.heapKernels();
  const cache = runtime.packedPanels();
  if (!sizes || !threads || !simd || !cache) return null;
  const { M, K, N } = sizes;
  const out = backend.makeOutput(outShape, 'float32');
  if (M * N === 0) return out;
  const layout = transposeB ? 'transposed' : 'rows';
  const heap = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const packed = cache.panels({
    dataId: b.dataId,
    layout,
    K,
    co: N,
    pack: (at) => (transposeB ? simd.pack_panels_t(heap(b), at, K, N) : simd.pack_panels(heap(b), at, K, N)),
  });
  // views after the allocations above (the heap may have grown)
  const [as, cs] = [a, out].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  threads.gemm(
    { data: as!, key: residentKey(backend, a.dataId) },
    {
      data: new Float32Array(cs!.buffer, packed, Math.ceil(N / 8) * 8 * K),
      // the key of Conv2D.ts's packed filter for the rows layout: the same panels
      key: residentKey(backend, b.dataId, `packed ${layout} ${K} ${N}`),
    },
    { data: cs!, key: residentKey(backend, out.dataId) },
    { M, K, N, transposeA, groupPanels: Math.max(1, Math.floor(GROUP_BYTES / (Math.max(K, 1) * 8 * 4))) },
  );
  return out;
}
