// Layers. Shapes follow TensorFlow.js: NHWC images, dense kernels [in, out], conv filters
// [kh, kw, in, out], transposed-conv filters [kh, kw, out, in].
import {
  add,
  batchNorm,
  conv2d,
  conv2dTranspose,
  gather,
  leakyRelu,
  moments,
  mul,
  pow,
  relu,
  reshape,
  rsqrt,
  sigmoid,
  softmax,
  sub,
  type Tensor,
  type Tensor1D,
  type Tensor4D,
  tanh,
  tidy,
  type Variable,
} from '@tensorflow/tfjs-core';
import { batchNormTrain } from '../kernels/fused/batch-norm.js';
import { composedDense, type DenseActivation, fusedDense } from '../kernels/fused/dense.js';
import { dropoutMask } from '../random/dropout-mask.js';
import { Rng } from '../random/rng.js';
import { type Initializer, normal, ones, torchDefault, uniform, zeros } from './init.js';
import { Module, ShapeError } from './module.js';
import { type SpectralNormOptions, spectralNormalize } from './spectral.js';

type SpectralState = { u: Variable; options: SpectralNormOptions };
const spectralOptions = (option: true | SpectralNormOptions): SpectralNormOptions =>
  option === true ? {} : option;
function effectiveWeight(w: Variable, sn: SpectralState | undefined, training: boolean): Tensor {
  if (!sn) return w;
  return spectralNormalize(w, sn.u, { ...sn.options, update: training && (sn.options.update ?? true) })
    .weight;
}

export interface LayerInit {
  /** Randomness for initialisation (and dropout). Default: a fresh Rng(0). */
  rng?: Rng;
  name?: string;
}

export interface DenseOptions extends LayerInit {
  bias?: boolean;
  /** Spectral normalisation of the kernel (Miyato et al.), e.g. for Lipschitz critics. */
  spectralNorm?: boolean | SpectralNormOptions;
  kernelInit?: Initializer;
  biasInit?: Initializer;
}

export class Dense extends Module {
  readonly weight: Variable;
  readonly bias?: Variable;
  private readonly sn?: SpectralState;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    {
      bias = true,
      kernelInit = torchDefault,
      biasInit,
      spectralNorm,
      rng = new Rng(0),
      name = 'dense',
    }: DenseOptions = {},
  ) {
    super(name);
    this.weight = this.addParameter('weight', kernelInit([inFeatures, outFeatures], rng));
    // the persistent power-iteration vector u is a buffer, so checkpoints keep it
    if (spectralNorm) {
      this.sn = {
        u: this.addBuffer('spectralU', normal(1)([outFeatures], rng)),
        options: spectralOptions(spectralNorm),
      };
    }
    // PyTorch's Linear bias: U(-1/sqrt(in), 1/sqrt(in))
    if (bias)
      this.bias = this.addParameter(
        'bias',
        (biasInit ?? uniform(1 / Math.sqrt(inFeatures)))([outFeatures], rng),
      );
  }
  forward(x: Tensor): Tensor {
    return this.forwardActivated(x, 'linear');
  }
  /** act(x W + b): one fused kernel where the backend has it (Sequential fuses a following ReLU). */
  forwardActivated(x: Tensor, activation: DenseActivation): Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeError(this.name, 'input', `[..., ${this.inFeatures}]`, x.shape);
    }
    return tidy(() => {
      const flat = x.rank === 2 ? x : reshape(x, [-1, this.inFeatures]);
      const w = effectiveWeight(this.weight, this.sn, this.training);
      const y = fusedDense(flat, w, this.bias, activation) ?? composedDense(flat, w, this.bias, activation);
      return x.rank === 2 ? y : reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
    });
  }
}

export type Padding = 'same' | 'valid' | number;

export interface ConvOptions extends LayerInit {
  stride?: number;
  padding?: Padding;
  bias?: boolean;
  kernelInit?: Initializer;
  /** Spectral normalisation of the filter reshaped to [kh * kw * in, out] (Conv2d only). */
  spectralNorm?: boolean | SpectralNormOptions;
}

export class Conv2d extends Module {
  readonly weight: Variable;
  readonly bias?: Variable;
  readonly stride: number;
  readonly padding: Padding;
  private readonly sn?: SpectralState;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    {
      stride = 1,
      padding = 'same',
      bias = true,
      kernelInit = torchDefault,
      spectralNorm,
      rng = new Rng(0),
      name = 'conv2d',
    }: ConvOptions = {},
  ) {
    super(name);
    this.stride = stride;
    this.padding = padding;
    this.weight = this.addParameter(
      'weight',
      kernelInit([kernelSize, kernelSize, inChannels, outChannels], rng),
    );
    if (spectralNorm) {
      this.sn = {
        u: this.addBuffer('spectralU', normal(1)([outChannels], rng)),
        options: spectralOptions(spectralNorm),
      };
    }
    if (bias) {
      const bound = 1 / Math.sqrt(inChannels * kernelSize * kernelSize);
      this.bias = this.addParameter('bias', uniform(bound)([outChannels], rng));
    }
  }
  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
      throw new ShapeError(this.name, 'input', `[batch, h, w, ${this.inChannels}]`, x.shape);
    }
    return tidy(() => {
      const w = effectiveWeight(this.weight, this.sn, this.training) as Tensor4D;
      const y = conv2d(x as Tensor4D, w, this.stride, this.padding);
      return this.bias ? add(y, this.bias) : y;
    });
  }
}

export interface ConvTransposeOptions extends ConvOptions {
  /**
   * 'same' (output = input * stride, TensorFlow's alignment: the transpose of a conv padded less at the
   * top and left), 'valid' (the full output, (input - 1) * stride + kernel), or PyTorch's integer
   * `padding`: output = (input - 1) * stride - 2 * padding + kernel + outputPadding.
   */
  padding?: Padding;
  /** PyTorch's `output_padding`: extra rows and columns at the bottom and right (integer padding only). */
  outputPadding?: number;
}

export class ConvTranspose2d extends Module {
  readonly weight: Variable;
  readonly bias?: Variable;
  readonly stride: number;
  readonly padding: Padding;
  readonly outputPadding: number;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    {
      stride = 1,
      padding = 'same',
      outputPadding = 0,
      bias = true,
      kernelInit,
      rng = new Rng(0),
      name = 'convTranspose2d',
    }: ConvTransposeOptions = {},
  ) {
    super(name);
    if (typeof padding === 'number') {
      if (!(Number.isInteger(padding) && padding >= 0 && 2 * padding < kernelSize))
        throw new RangeError(`${name}: padding must be an integer in [0, (kernel - 1) / 2], got ${padding}`);
    } else if (padding !== 'same' && padding !== 'valid') {
      throw new RangeError(`${name}: padding must be 'same', 'valid' or an integer, got ${String(padding)}`);
    }
    if (!(Number.isInteger(outputPadding) && outputPadding >= 0 && outputPadding < stride))
      throw new RangeError(`${name}: outputPadding must be an integer in [0, stride), got ${outputPadding}`);
    if (outputPadding > 0 && typeof padding !== 'number')
      throw new RangeError(`${name}: outputPadding needs an integer padding, got '${padding}'`);
    this.stride = stride;
    this.padding = padding;
    this.outputPadding = outputPadding;
    // PyTorch's ConvTranspose2d computes fan_in from the weight's dim 1 (= out channels) * k * k.
    const bound = 1 / Math.sqrt(outChannels * kernelSize * kernelSize);
    const init = kernelInit ?? uniform(bound);
    this.weight = this.addParameter('weight', init([kernelSize, kernelSize, outChannels, inChannels], rng));
    if (bias) this.bias = this.addParameter('bias', uniform(bound)([outChannels], rng));
  }
  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
      throw new ShapeError(this.name, 'input', `[batch, h, w, ${this.inChannels}]`, x.shape);
    }
    const [n, h, w] = x.shape as [number, number, number, number];
    const k = this.kernelSize;
    const s = this.stride;
    const p = this.padding;
    const size = (d: number) =>
      p === 'same' ? d * s : p === 'valid' ? (d - 1) * s + k : (d - 1) * s - 2 * p + k + this.outputPadding;
    const out: [number, number, number, number] = [n, size(h), size(w), this.outChannels];
    return tidy(() => {
      const y = conv2dTranspose(x as Tensor4D, this.weight as Tensor4D, out, s, p);
      return this.bias ? add(y, this.bias) : y;
    });
  }
}

export interface BatchNormOptions {
  /** Running-statistics update weight for the new batch, as in PyTorch (default 0.1). */
  momentum?: number;
  eps?: number;
  /** Learnable scale and shift (default true). */
  affine?: boolean;
  name?: string;
}

/** Batch normalisation over every axis but the last (channels). */
export class BatchNorm extends Module {
  readonly gamma: Variable;
  readonly beta: Variable;
  readonly runningMean: Variable;
  readonly runningVar: Variable;
  readonly momentum: number;
  readonly eps: number;
  constructor(
    readonly features: number,
    { momentum = 0.1, eps = 1e-5, affine = true, name = 'batchNorm' }: BatchNormOptions = {},
  ) {
    super(name);
    this.momentum = momentum;
    this.eps = eps;
    // Scale and offset always exist (tfjs's batchNorm gradient breaks without them); frozen when not affine.
    this.gamma = this.addParameter('weight', ones([features], new Rng(0)), affine);
    this.beta = this.addParameter('bias', zeros([features], new Rng(0)), affine);
    this.runningMean = this.addBuffer('runningMean', zeros([features], new Rng(0)));
    this.runningVar = this.addBuffer('runningVar', ones([features], new Rng(0)));
  }
  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.features) {
      throw new ShapeError(this.name, 'input', `[..., ${this.features}]`, x.shape);
    }
    if (!this.training) {
      return tidy(() =>
        batchNorm(
          x,
          this.runningMean as Tensor1D,
          this.runningVar as Tensor1D,
          this.beta as Tensor1D,
          this.gamma as Tensor1D,
          this.eps,
        ),
      );
    }
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const count = x.size / this.features;
    // the fused kernels where they run (wasm), with the composition's forward bits (fused/batch-norm.ts)
    const fused = batchNormTrain(x, this.gamma, this.beta, this.eps);
    const y =
      fused?.y ??
      tidy(() => {
        const { mean: m, variance: v } = moments(x, axes);
        return add(mul(mul(sub(x, m), rsqrt(add(v, this.eps))), this.gamma), this.beta);
      });
    // running statistics: outside the gradient tape, PyTorch semantics (unbiased variance)
    const update = tidy(() => {
      const { mean: m, variance: v } = fused ?? moments(x, axes);
      const unbiased = mul(v, count / Math.max(1, count - 1));
      return [
        add(mul(this.runningMean, 1 - this.momentum), mul(m, this.momentum)),
        add(mul(this.runningVar, 1 - this.momentum), mul(unbiased, this.momentum)),
      ] as const;
    });
    this.runningMean.assign(update[0]);
    this.runningVar.assign(update[1]);
    update[0].dispose();
    update[1].dispose();
    if (fused) {
      fused.mean.dispose();
      fused.variance.dispose();
    }
    return y;
  }
}

/**
 * Layer normalisation over the trailing axes given by `normalizedShape` (a number is the last axis,
 * as in PyTorch's nn.LayerNorm), with a learnable scale and shift of that shape. For NHWC feature maps
 * `[h, w, c]` normalises each sample over all its features, as in WGAN-GP's critic.
 */
export class LayerNorm extends Module {
  readonly gamma: Variable;
  readonly beta: Variable;
  readonly normalizedShape: number[];
  constructor(
    normalizedShape: number | number[],
    readonly eps = 1e-5,
    name = 'layerNorm',
  ) {
    super(name);
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.length === 0 || !this.normalizedShape.every((d) => Number.isInteger(d) && d > 0))
      throw new RangeError(
        `LayerNorm: normalizedShape must be positive integers, got [${this.normalizedShape}]`,
      );
    this.gamma = this.addParameter('weight', ones(this.normalizedShape, new Rng(0)));
    this.beta = this.addParameter('bias', zeros(this.normalizedShape, new Rng(0)));
  }
  /** Size of the last axis (the whole normalised shape when it is one axis). */
  get features(): number {
    return this.normalizedShape[this.normalizedShape.length - 1]!;
  }
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const trailing = x.shape.slice(x.rank - k);
    if (x.rank < k || trailing.some((d, i) => d !== this.normalizedShape[i])) {
      throw new ShapeError(this.name, 'input', `[..., ${this.normalizedShape.join(', ')}]`, x.shape);
    }
    const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
    return tidy(() => {
      const { mean: m, variance: v } = moments(x, axes, true);
      return add(mul(mul(sub(x, m), rsqrt(add(v, this.eps))), this.gamma), this.beta);
    });
  }
}

/** Inverted dropout: active only in training mode; randomness from the module's Rng. */
export class Dropout extends Module {
  private readonly rng: Rng;
  constructor(
    readonly rate: number,
    { rng = new Rng(0), name = 'dropout' }: LayerInit = {},
  ) {
    super(name);
    if (!(rate >= 0 && rate < 1)) throw new RangeError(`${name}: rate must be in [0, 1), got ${rate}`);
    this.rng = rng;
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.rate === 0) return x.clone();
    return tidy(() => mul(x, dropoutMask(x.shape, this.rate, this.rng.seed())));
  }
}

export class Embedding extends Module {
  readonly weight: Variable;
  constructor(
    readonly count: number,
    readonly dim: number,
    { rng = new Rng(0), name = 'embedding', init }: LayerInit & { init?: Initializer } = {},
  ) {
    super(name);
    this.weight = this.addParameter('weight', (init ?? normal(1))([count, dim], rng));
  }
  /** Rows of the table for integer ids of any shape: output shape ids.shape + [dim]. */
  forward(ids: Tensor): Tensor {
    if (ids.dtype !== 'int32') throw new TypeError(`${this.name}: ids must be int32, got ${ids.dtype}`);
    return tidy(() => reshape(gather(this.weight, reshape(ids, [-1])), [...ids.shape, this.dim]));
  }
}

/** Applies a function of one tensor (activations, reshapes) as a parameter-free module. */
export class Lambda extends Module {
  constructor(
    name: string,
    private readonly fn: (x: Tensor) => Tensor,
    /** The activation `fn` is, when a preceding Dense can apply it in its own kernel (see Sequential). */
    readonly denseActivation?: DenseActivation,
  ) {
    super(name);
  }
  forward(x: Tensor): Tensor {
    return tidy(() => this.fn(x));
  }
}

export const ReLU = () => new Lambda('relu', relu, 'relu');
export const LeakyReLU = (alpha = 0.01) => new Lambda('leakyRelu', (x) => leakyRelu(x, alpha));
export const Tanh = () => new Lambda('tanh', tanh);
export const Sigmoid = () => new Lambda('sigmoid', sigmoid);
export const Softmax = () => new Lambda('softmax', (x) => softmax(x));
/** Chen & Manning's cube activation x^3. */
export const Cube = () => new Lambda('cube', (x) => pow(x, 3));
export const Flatten = () => new Lambda('flatten', (x) => reshape(x, [x.shape[0]!, -1]));
export const Reshape = (shape: number[]) => new Lambda('reshape', (x) => reshape(x, [x.shape[0]!, ...shape]));

/** Modules applied in order; children are named "0", "1", ... as in PyTorch. */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(layers: Module[], name = 'sequential') {
    super(name);
    this.layers = layers.map((m, i) => this.addModule(String(i), m));
  }
  forward(x: Tensor): Tensor {
    return tidy(() => {
      let h = x;
      for (let i = 0; i < this.layers.length; i++) {
        const m = this.layers[i]!;
        const next = this.layers[i + 1];
        // Dense then ReLU: one kernel (and one gradient) instead of two (unless forward is overridden)
        if (
          m instanceof Dense &&
          m.forward === Dense.prototype.forward &&
          next instanceof Lambda &&
          next.denseActivation
        ) {
          h = m.forwardActivated(h, next.denseActivation);
          i++;
        } else {
          h = m.forward(h);
        }
      }
      return h;
    });
  }
}
