// Accuracy against size: every chosen Dense layer of a Sequential replaced by its rank-r SVD
// factorisation (one SVD per layer, truncated at each rank) or by a sum of R Kronecker terms, the
// model scored by the caller, the replacements disposed after each probe (the model is unchanged).
import { Dense, type Module, Sequential } from '@lab/core';
import { type KroneckerShape, kroneckerShapeFor } from './kronecker.js';
import { kroneckerDense } from './kronecker-dense.js';
import { denseSvd, lowRankDense } from './low-rank.js';
import type { Svd } from './svd.js';

export interface FactorisationCurveOptions {
  /** Scores a model (accuracy, higher is better); sync or async. */
  evaluate: (model: Module) => number | Promise<number>;
  /** SVD ranks to probe (a rank above a layer's min(in, out) keeps that layer dense). Default none. */
  ranks?: readonly number[];
  /** Kronecker term counts to probe. Default none. */
  kroneckerTerms?: readonly number[];
  /** Indices into `model.layers` of the Dense layers to factorise. Default: every Dense layer. */
  layers?: readonly number[];
  /** Kronecker factor shapes per layer index. Default: kroneckerShapeFor(in, out). */
  kroneckerShapes?: Readonly<Record<number, KroneckerShape>>;
}

export interface FactorisationPoint {
  method: 'dense' | 'svd' | 'kronecker';
  /** The rank (svd) or the number of Kronecker terms; 0 for the dense baseline. */
  setting: number;
  /** Parameters of the whole model. */
  parameters: number;
  /** Dense parameters / these parameters. */
  compression: number;
  accuracy: number;
}

const countParameters = (m: Module) => m.paramCount();

/** The dense baseline first, then one point per rank and per term count, in the order given. */
export async function factorisationCurve(
  model: Sequential,
  options: FactorisationCurveOptions,
): Promise<FactorisationPoint[]> {
  const layers = options.layers ?? model.layers.flatMap((l, i) => (l instanceof Dense ? [i] : []));
  for (const i of layers)
    if (!(model.layers[i] instanceof Dense))
      throw new RangeError(`factorisationCurve: layers[${i}] is not a Dense layer`);
  const dense = countParameters(model);
  const points: FactorisationPoint[] = [];
  const probe = async (
    method: FactorisationPoint['method'],
    setting: number,
    replace: (i: number) => Module | undefined,
  ) => {
    const replaced = new Map<number, Module>();
    for (const i of layers) {
      const r = replace(i);
      if (r) replaced.set(i, r);
    }
    const probeModel = new Sequential(
      model.layers.map((l, i) => replaced.get(i) ?? l),
      `${model.name}.${method}${setting}`,
    );
    try {
      const parameters = countParameters(probeModel);
      const accuracy = await options.evaluate(probeModel);
      points.push({ method, setting, parameters, compression: dense / parameters, accuracy });
    } finally {
      for (const r of replaced.values()) r.dispose();
    }
  };
  await probe('dense', 0, () => undefined);
  if (options.ranks?.length) {
    const svds = new Map<number, Svd>(layers.map((i) => [i, denseSvd(model.layers[i] as Dense)]));
    for (const rank of options.ranks)
      await probe('svd', rank, (i) => {
        const d = svds.get(i)!;
        return rank < d.k ? lowRankDense(model.layers[i] as Dense, rank, d) : undefined;
      });
  }
  for (const terms of options.kroneckerTerms ?? [])
    await probe('kronecker', terms, (i) => {
      const layer = model.layers[i] as Dense;
      const shape = options.kroneckerShapes?.[i] ?? kroneckerShapeFor(layer.inFeatures, layer.outFeatures);
      return kroneckerDense(layer, shape, terms);
    });
  return points;
}
