// A dense layer whose weight is a sum of Kronecker products, applied without forming the weight:
// x W for W = sum_r A_r (x) B_r is, per example, sum_r A_r^T X B_r with X the input reshaped to
// [m1, m2], so it costs batch x R x (m1 m2 n2 + m1 n2 n1) multiply-adds instead of batch x m1 m2 n1 n2.
import { type Dense, Module, ShapeError } from '@lab/core';
import {
  add,
  matMul,
  reshape,
  sum,
  type Tensor,
  type Tensor3D,
  tensor1d,
  tensor3d,
  tidy,
  transpose,
  type Variable,
} from '@tensorflow/tfjs-core';
import { type KroneckerFactors, type KroneckerShape, nearestKronecker } from './kronecker.js';
import type { Svd } from './svd.js';

export class KroneckerDense extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly terms: number;
  /** A factors, [terms, m1, n1]. */
  readonly a: Variable;
  /** B factors, [terms, m2, n2]. */
  readonly b: Variable;
  readonly bias?: Variable;
  constructor(
    readonly shape: KroneckerShape,
    factors: { a: Float64Array[]; b: Float64Array[]; bias?: ArrayLike<number> },
    name = 'kroneckerDense',
  ) {
    super(name);
    const { m1, n1, m2, n2 } = shape;
    this.inFeatures = m1 * m2;
    this.outFeatures = n1 * n2;
    this.terms = factors.a.length;
    if (this.terms < 1 || factors.b.length !== this.terms)
      throw new RangeError(
        `${name}: need as many A as B factors (at least one), got ${factors.a.length} and ${factors.b.length}`,
      );
    const stack = (parts: Float64Array[], size: number, what: string) => {
      const out = new Float32Array(parts.length * size);
      parts.forEach((p, t) => {
        if (p.length !== size)
          throw new RangeError(`${name}: ${what}[${t}] has ${p.length} entries, expected ${size}`);
        out.set(p, t * size);
      });
      return out;
    };
    this.a = this.addParameter('a', tensor3d(stack(factors.a, m1 * n1, 'a'), [this.terms, m1, n1]));
    this.b = this.addParameter('b', tensor3d(stack(factors.b, m2 * n2, 'b'), [this.terms, m2, n2]));
    if (factors.bias) {
      if (factors.bias.length !== this.outFeatures)
        throw new RangeError(
          `${name}: bias has ${factors.bias.length} entries, expected ${this.outFeatures}`,
        );
      this.bias = this.addParameter('bias', tensor1d(Float32Array.from(factors.bias)));
    }
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures)
      throw new ShapeError(this.name, 'input', `[batch, ${this.inFeatures}]`, x.shape);
    const { m1, n1, m2, n2 } = this.shape;
    const batch = x.shape[0]!;
    const R = this.terms;
    return tidy(() => {
      // X B_r for every term at once: [batch m1, m2] x [m2, R n2]
      const bCat = reshape(transpose(this.b, [1, 0, 2]), [m2, R * n2]);
      const xb = matMul(reshape(x, [batch * m1, m2]), bCat); // [batch m1, R n2]
      // [batch, m1, R, n2] -> [R, batch, n2, m1] -> [R, batch n2, m1], then A_r per term
      const t = reshape(transpose(reshape(xb, [batch, m1, R, n2]), [2, 0, 3, 1]), [R, batch * n2, m1]);
      const y = matMul(t as Tensor3D, this.a as unknown as Tensor3D); // [R, batch n2, n1]
      const summed = sum(reshape(y, [R, batch, n2, n1]), 0); // [batch, n2, n1]
      const out = reshape(transpose(summed, [0, 2, 1]), [batch, n1 * n2]);
      return this.bias ? add(out, this.bias) : out;
    });
  }

  /** Parameters stored: terms x (m1 n1 + m2 n2) + bias. */
  storedParameters(): number {
    const { m1, n1, m2, n2 } = this.shape;
    return this.terms * (m1 * n1 + m2 * n2) + (this.bias ? this.outFeatures : 0);
  }
}

/**
 * Replaces a Dense layer by its nearest sum of `terms` Kronecker products (a new module; the Dense
 * is left as is). Pass `decomposition` (kroneckerDecomposition of the layer's weight with this
 * shape) to reuse one SVD for several term counts.
 */
export function kroneckerDense(
  dense: Dense,
  shape: KroneckerShape,
  terms = 1,
  decomposition?: Svd,
): KroneckerDense {
  const factors: KroneckerFactors = nearestKronecker(
    dense.weight.dataSync(),
    checkDense(dense, shape),
    terms,
    decomposition,
  );
  return new KroneckerDense(
    shape,
    { a: factors.a, b: factors.b, bias: dense.bias?.dataSync() },
    `${dense.name}.kron${terms}`,
  );
}

function checkDense(dense: Dense, shape: KroneckerShape): KroneckerShape {
  if (shape.m1 * shape.m2 !== dense.inFeatures || shape.n1 * shape.n2 !== dense.outFeatures)
    throw new RangeError(
      `kroneckerDense: [${shape.m1} x ${shape.m2}, ${shape.n1} x ${shape.n2}] does not match the layer's [${dense.inFeatures}, ${dense.outFeatures}]`,
    );
  return shape;
}
