// Moving values between tensors and caller-owned arrays without garbage. A tensor's dataSync()
// allocates a fresh array each call; in a training loop that reads or builds large tensors every step
// (the parser's tables: megabytes per batch) those allocations drive the garbage collector, whose
// full collections then walk the whole heap. On the WASM backend both directions copy straight
// between the WASM heap and the caller's array.
import * as tf from '@tensorflow/tfjs-core';

interface HeapBackend {
  typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: tf.DataType }): ArrayLike<number>;
}

function heapOf(t: tf.Tensor): ArrayLike<number> | null {
  if (tf.getBackend() !== 'wasm') return null;
  // only data that lives on the active WASM backend (a tensor made on another backend is read there)
  const info = tf.engine().state.tensorInfo.get(t.dataId) as { backend?: unknown } | undefined;
  const backend = info?.backend as Partial<HeapBackend> | undefined;
  if (!backend || backend !== (tf.backend() as unknown) || typeof backend.typedArrayFromHeap !== 'function')
    return null;
  return backend.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
}

/** Copies the values of `t` (float32 or int32) into `target` at `offset`, allocating nothing on the WASM backend. */
export function copyTensorData(t: tf.Tensor, target: Float32Array | Int32Array, offset = 0): void {
  if (t.dtype !== 'float32' && t.dtype !== 'int32')
    throw new TypeError(`copyTensorData: float32 or int32 tensors, got ${t.dtype}`);
  if (offset < 0 || offset + t.size > target.length)
    throw new RangeError(`copyTensorData: ${t.size} values do not fit at ${offset} in ${target.length}`);
  if (t.isDisposed) throw new Error('copyTensorData: the tensor is disposed');
  const heap = heapOf(t);
  if (heap && (t.dtype === 'float32') === target instanceof Float32Array) {
    target.set(heap as Float32Array | Int32Array, offset);
    return;
  }
  target.set(t.dataSync(), offset);
}

/**
 * A tensor holding a copy of `values` (which may be a view the caller overwrites later). The WASM
 * backend copies into its heap at creation; other backends keep the array they are given, so they
 * get a copy.
 */
export function tensorFromView<R extends tf.Rank>(
  values: Float32Array | Int32Array,
  shape: tf.ShapeMap[R],
  dtype: 'float32' | 'int32' = values instanceof Int32Array ? 'int32' : 'float32',
): tf.Tensor<R> {
  const own = tf.getBackend() === 'wasm' ? values : values.slice();
  return tf.tensor(own, shape, dtype) as tf.Tensor<R>;
}
