// A pruned dense layer that runs sparse: y = x . W + b with W stored as the CSR of its transpose
// (float32 values, or shared codes and codebook), computed as y^T = W^T . x^T on the CSR kernel with
// the batch along the vector lanes. The matrix stays resident in the layer's own kernel memory;
// inputs and outputs are allocated above it for each call. Inference only: no gradients.
import { type Dense, type LabRuntime, labRuntime, Module, ShapeError } from '@lab/core';
import { type Tensor, type Tensor2D, tensor2d } from '@tensorflow/tfjs-core';
import { type CsrMatrix, checkCsr, csrFromDense, csrMatMulReference, csrSparsity } from './csr.js';
import { CsrKernel, type ResidentCsr } from './csr-kernel.js';

export interface SparseDenseOptions {
  /** Apply max(0, .) after the bias (a Dense followed by ReLU, fused). Default false. */
  relu?: boolean;
  /** Run in JavaScript even where WASM SIMD is available. Default false. */
  javascript?: boolean;
  runtime?: LabRuntime;
  name?: string;
}

function transposeValues(x: Float32Array, rows: number, cols: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y[j * rows + i] = x[i * cols + j]!;
  return y;
}

export class SparseDense extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly relu: boolean;
  private kernel: CsrKernel | null;
  private resident: ResidentCsr | null = null;
  private biasAt = 0;
  private base = 0;
  private disposed = false;

  /** `weightT`: the CSR of W^T (outFeatures x inFeatures); `bias` of length outFeatures. */
  constructor(
    readonly weightT: CsrMatrix,
    readonly bias?: Float32Array,
    {
      relu = false,
      javascript = false,
      runtime = labRuntime(),
      name = 'sparseDense',
    }: SparseDenseOptions = {},
  ) {
    super(name);
    checkCsr(weightT, 'SparseDense: weightT');
    if (bias && bias.length !== weightT.rows)
      throw new RangeError(`SparseDense: bias has ${bias.length} values for ${weightT.rows} outputs`);
    this.inFeatures = weightT.cols;
    this.outFeatures = weightT.rows;
    this.relu = relu;
    this.kernel = javascript ? null : CsrKernel.create(runtime);
    if (this.kernel) {
      this.resident = this.kernel.putCsr(weightT);
      this.biasAt = bias ? this.kernel.put(bias) : 0;
      this.base = this.kernel.mark();
    }
  }

  /** A SparseDense with the weights of a core Dense layer (its zeros are not stored). */
  static fromDense(dense: Dense, options: SparseDenseOptions = {}): SparseDense {
    const [inF, outF] = dense.weight.shape as [number, number];
    const w = csrFromDense(dense.weight.dataSync() as Float32Array, inF, outF, { transpose: true });
    const bias = dense.bias ? Float32Array.from(dense.bias.dataSync()) : undefined;
    return new SparseDense(w, bias, options);
  }

  /** Fraction of the weight matrix not stored. */
  get sparsity(): number {
    return csrSparsity(this.weightT);
  }

  /** Whether the WASM SIMD kernel runs this layer. */
  get usesKernel(): boolean {
    return this.kernel !== null;
  }

  forward(x: Tensor): Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures)
      throw new ShapeError(this.name, 'input', `[batch, ${this.inFeatures}]`, x.shape);
    const batch = x.shape[0]!;
    const data = x.dataSync() as Float32Array;
    return tensor2d(this.run(data, batch), [batch, this.outFeatures], 'float32');
  }

  /** y[batch, out] from x[batch, in] on plain arrays. */
  run(x: Float32Array, batch: number): Float32Array {
    const { inFeatures: inF, outFeatures: outF } = this;
    if (this.disposed) throw new Error(`${this.name}: used after dispose()`);
    if (x.length !== batch * inF)
      throw new RangeError(`${this.name}: ${x.length} inputs for ${batch} x ${inF}`);
    const k = this.kernel;
    if (!k || !this.resident) {
      const yT = csrMatMulReference(
        this.weightT,
        transposeValues(x, batch, inF),
        batch,
        this.bias,
        this.relu,
      );
      return transposeValues(yT, outF, batch);
    }
    try {
      const xAt = k.put(x);
      const xT = k.alloc(4 * inF * batch);
      k.transpose(xAt, batch, inF, xT);
      const yT = k.alloc(4 * outF * batch);
      k.matmul(this.resident, xT, batch, this.biasAt, this.relu, yT);
      const y = k.alloc(4 * outF * batch);
      k.transpose(yT, outF, batch, y);
      return k.f32(y, outF * batch).slice();
    } finally {
      k.release(this.base);
    }
  }

  override dispose(): void {
    super.dispose();
    this.disposed = true;
    this.kernel = null; // the instance and its memory go with the last reference
    this.resident = null;
  }
}
