// Leaky ReLU in one pass, forward and backward. The stock wasm LeakyRelu runs element by element
// (6.4 ms for 800,000 floats, against 0.35 for Relu), and tfjs's gradient, where(x > 0, dy, alpha dy),
// is a Greater (6 ms), a Select (3.7 ms) and a Multiply. WGAN-GP's critic runs each several times per
// update (with the double backprop of the penalty): about 0.4 s of a W2 iteration. Here the forward
// is the SIMD kernel of kernels/heap.c and the gradient is one kernel, LabLeakyReluGrad, whose own
// gradient (for second derivatives) is itself with respect to dy and zero with respect to x.
import {
  engine,
  type GradConfig,
  getKernel,
  greater,
  type KernelConfig,
  type KernelFunc,
  LeakyRelu,
  type LeakyReluAttrs,
  mul,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
  where,
  zerosLike,
} from '@tensorflow/tfjs-core';
import { labRuntime } from '../../runtime/lab-runtime.js';
import type { KernelArgs, WasmHeapBackend } from '../wasm/kernel-utils.js';

export const LEAKY_RELU_GRAD = 'LabLeakyReluGrad';

/** dx = x > 0 ? dy : alpha dy, elementwise over arrays of one length. */
function leakyReluGradLoop(dy: ArrayLike<number>, x: ArrayLike<number>, alpha: number, dx: Float32Array) {
  for (let i = 0; i < dx.length; i++) dx[i] = x[i]! > 0 ? dy[i]! : alpha * dy[i]!;
}

function checkInputs(dy: TensorInfo, x: TensorInfo): void {
  if (dy.dtype !== 'float32' || x.dtype !== 'float32')
    throw new TypeError(`${LEAKY_RELU_GRAD}: float32 tensors only, got ${dy.dtype} and ${x.dtype}`);
  if (dy.shape.join(',') !== x.shape.join(','))
    throw new RangeError(`${LEAKY_RELU_GRAD}: shapes differ: ${dy.shape} / ${x.shape}`);
}

type GradArgs = KernelArgs<'dy' | 'x'>;

function wasmGrad({ inputs, attrs, backend }: GradArgs): TensorInfo {
  const { dy, x } = inputs;
  checkInputs(dy, x);
  const { alpha } = attrs as unknown as LeakyReluAttrs;
  const b = backend as WasmHeapBackend;
  const simd = labRuntime(backend).heapKernels(); // before allocating: loading it allocates its stack
  const out = b.makeOutput(x.shape, 'float32');
  const [g, v, d] = [dy, x, out].map((t) => b.typedArrayFromHeap(t) as Float32Array) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  if (d.length === 0) return out;
  if (simd) simd.leaky_relu_grad(g.byteOffset, v.byteOffset, d.byteOffset, d.length, alpha);
  else leakyReluGradLoop(g, v, alpha, d);
  return out;
}

interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function cpuGrad({ inputs, attrs, backend }: GradArgs): TensorInfo {
  const { dy, x } = inputs;
  checkInputs(dy, x);
  const b = backend as unknown as CpuBackend;
  const values = (t: TensorInfo) => b.data.get(t.dataId).values;
  const dx = new Float32Array(values(x).length);
  leakyReluGradLoop(values(dy), values(x), (attrs as unknown as LeakyReluAttrs).alpha, dx);
  return b.makeTensorInfo(x.shape, 'float32', dx);
}

export const leakyReluGradConfigs: readonly KernelConfig[] = [
  { kernelName: LEAKY_RELU_GRAD, backendName: 'wasm', kernelFunc: wasmGrad as unknown as KernelFunc },
  { kernelName: LEAKY_RELU_GRAD, backendName: 'cpu', kernelFunc: cpuGrad as unknown as KernelFunc },
];

/** x > 0 ? dy : alpha dy: the fused kernel where the active backend has it, else tfjs's composition. */
export function leakyReluGrad(dy: Tensor, x: Tensor, alpha: number): Tensor {
  if (dy.dtype === 'float32' && x.dtype === 'float32' && getKernel(LEAKY_RELU_GRAD, engine().backendName))
    return engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha } as unknown as NamedAttrMap) as Tensor;
  return where(greater(x, 0), dy, mul(dy, alpha));
}

export const leakyReluGradients: readonly GradConfig[] = [
  {
    kernelName: LeakyRelu,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () => leakyReluGrad(dy as Tensor, x!, (attrs as unknown as LeakyReluAttrs).alpha),
    }),
  },
  {
    // linear in dy (the mask depends on x only, and is flat almost everywhere)
    kernelName: LEAKY_RELU_GRAD,
    inputsToSave: ['x'],
    gradFunc: (ddx, [x], attrs) => ({
      dy: () => leakyReluGrad(ddx as Tensor, x!, (attrs as unknown as LeakyReluAttrs).alpha),
      x: () => zerosLike(x!),
    }),
  },
];

/** The wasm LeakyRelu on the SIMD heap kernel (the stock kernel without it, or for other dtypes). */
export function fastLeakyRelu(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs<'x'>): TensorInfo => {
    const { x } = args.inputs;
    const simd = x.dtype === 'float32' ? labRuntime(args.backend).heapKernels() : null;
    if (!simd) return stock.kernelFunc(args as never) as TensorInfo;
    const b = args.backend as WasmHeapBackend;
    const out = b.makeOutput(x.shape, 'float32');
    const [src, dst] = [x, out].map((t) => b.typedArrayFromHeap(t));
    if (dst!.length > 0)
      simd.leaky_relu(
        src!.byteOffset,
        dst!.byteOffset,
        dst!.length,
        (args.attrs as unknown as LeakyReluAttrs).alpha,
      );
    return out;
  };
  return {
    kernelName: LeakyRelu,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
