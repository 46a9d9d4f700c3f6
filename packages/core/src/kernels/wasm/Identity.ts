// tfjs-core clones every tensor that a gradient needs (saveTensorsForBackwardMode), and the stock wasm
// Identity copies the data each time: in parser training that copied the weights and embeddings of
// every op, about 5 s of a 130 s epoch. Tensors are immutable (a Variable's assign swaps its dataId),
// so a clone can share the data with a reference count, as the cpu backend's Identity and the wasm
// Reshape already do.
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './kernel-utils.js';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

function identity({ inputs, backend }: KernelArgs<'x'>): TensorInfo {
  const { x } = inputs;
  (backend as unknown as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
