// The stock wasm Cast copies the data even when the dtype does not change, and tfjs casts float32
// tensors to float32 all the time: moments() casts its input, the gradients of Multiply and Relu cast
// their saved operands. In W1 these copies were 1.7% of the main thread's time (0.4-0.8M floats each,
// several per batch-norm layer). A cast to the same dtype shares the data with a reference count, as
// Identity.ts does (tensors are immutable); every other cast is the stock kernel.
import {
  Cast,
  type DataType,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { KernelArgs } from './kernel-utils.js';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

export function fastCast(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs<'x'>): TensorInfo => {
    const { x } = args.inputs;
    const dtype = (args.attrs as { dtype: DataType }).dtype;
    if (dtype !== x.dtype || dtype === 'complex64' || dtype === 'string')
      return stock.kernelFunc(args as never) as TensorInfo;
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype };
  };
  return {
    kernelName: Cast,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
