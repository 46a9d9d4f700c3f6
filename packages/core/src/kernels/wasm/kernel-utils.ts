// Helpers for @lab's WASM kernels that are compositions of the stock XNNPACK-backed kernels.
import {
  type DataType,
  getKernel,
  type KernelBackend,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { ResidentKey } from '../heap/shared-arena.js';

/** Runs a stock kernel of the backend directly (no tape, no engine bookkeeping). */
export function callKernel(
  backend: KernelBackend,
  name: string,
  inputs: Record<string, TensorInfo> | TensorInfo[],
  attrs: Record<string, unknown> = {},
): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (!kernel) throw new Error(`@lab/core: the wasm backend has no '${name}' kernel to build on`);
  return kernel.kernelFunc({
    inputs: inputs as Record<string, TensorInfo>,
    attrs: attrs as NamedAttrMap,
    backend,
  }) as TensorInfo;
}

/** Collects intermediates of a composed kernel and frees them in one place. */
export class Scratch {
  private readonly infos: TensorInfo[] = [];
  constructor(private readonly backend: KernelBackend) {}
  keep<T extends TensorInfo>(info: T): T {
    this.infos.push(info);
    return info;
  }
  run(
    name: string,
    inputs: Record<string, TensorInfo> | TensorInfo[],
    attrs?: Record<string, unknown>,
  ): TensorInfo {
    return this.keep(callKernel(this.backend, name, inputs, attrs));
  }
  dispose(): void {
    for (const info of this.infos) this.backend.disposeData(info.dataId);
    this.infos.length = 0;
  }
}

/** The WASM backend's heap helpers (typed loosely: they are not part of tfjs-core's types). */
export interface WasmHeapBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** The arguments tfjs passes a kernel, typed for @lab's kernels. */
export interface KernelArgs<I extends string> {
  inputs: Record<I, TensorInfo>;
  attrs: Record<string, unknown>;
  backend: KernelBackend;
}

/** The wasm backend's records of tensor data (typed loosely, as in heap/packed-panels.ts). */
interface RecordBackend {
  dataIdMap: { has(dataId: object): boolean; get(dataId: object): { id: number } | undefined };
}

/**
 * The backend's record id of a dataId now, undefined once tfjs disposed of it (has() first: get() of
 * a missing id asks tfjs's engine to move the data). A rewrite gives the dataId a new record.
 */
export function recordIdOf(backend: object, dataId: object): number | undefined {
  const map = (backend as Partial<RecordBackend>).dataIdMap;
  return map?.has(dataId) ? map.get(dataId)?.id : undefined;
}

/** The key of a tensor's copy in the kernel threads' memory (heap/shared-arena.ts), or null. */
export function residentKey(backend: object, dataId: object, tag = 'data'): ResidentKey | null {
  const recordId = recordIdOf(backend, dataId);
  return recordId === undefined ? null : { dataId, recordId, tag };
}
