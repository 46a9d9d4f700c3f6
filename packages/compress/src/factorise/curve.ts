// Accuracy against size: every chosen Dense layer of a Sequential replaced by its rank-r SVD
// factorisation (one SVD per layer, truncated at each rank) or by a sum of R Kronecker terms (one SVD
// of each layer's rearrangement, truncated at each count), the model scored by the caller, optionally
// fine-tuned and scored again, the replacements disposed after each probe (the model is unchanged).
import { Dense, type Module, Sequential } from '@lab/core';
import { clone, dispose, type Tensor } from '@tensorflow/tfjs-core';
import { type KroneckerShape, kroneckerDecomposition, kroneckerShapeFor } from './kronecker.js';
import { kroneckerDense } from './kronecker-dense.js';
import { denseSvd, lowRankDense } from './low-rank.js';
import { type Svd, truncationResidual } from './svd.js';

/** Which probe a fine-tuning call is for. */
export interface FactorisationProbe {
  method: 'svd' | 'kronecker';
  /** The rank (svd) or the number of Kronecker terms. */
  setting: number;
}

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
  /**
   * Trains each factorised probe model (not the dense baseline) after its first score and before a
   * second one, as compression papers fine-tune a factorised net: the factors (SVD's two Dense
   * layers, KroneckerDense's A, B) and biases are trainable parameters of the probe. The probe also
   * holds the model's own other layers (those not factorised, and those a rank keeps dense); they
   * may be trained with it, and their parameters, buffers, trainable flags and training mode are
   * restored afterwards, so the model comes out of the curve unchanged. Default: no fine-tuning.
   */
  fineTune?: (model: Module, probe: FactorisationProbe) => void | Promise<void>;
}

export interface FactorisationPoint {
  method: 'dense' | 'svd' | 'kronecker';
  /** The rank (svd) or the number of Kronecker terms; 0 for the dense baseline. */
  setting: number;
  /** Parameters of the whole model. */
  parameters: number;
  /** Dense parameters / these parameters. */
  compression: number;
  /**
   * The relative Frobenius error ||W - W_approx|| / ||W|| of the factorised weights as factorised
   * (before any fine-tuning), the largest over the factorised layers; 0 for the dense baseline and
   * for a layer a rank keeps dense. From the dropped singular values (Eckart-Young), in float64.
   */
  residual: number;
  /** The score of the probe: after fine-tuning with `fineTune`, else as factorised. */
  accuracy: number;
  /** With `fineTune`, the score of the probe as factorised, before fine-tuning (absent otherwise and on the dense point). */
  accuracyBeforeTuning?: number;
}

const countParameters = (m: Module) => m.paramCount();

/** A factorised layer and its weight's relative residual. */
interface Replacement {
  module: Module;
  residual: number;
}

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
    replace: (i: number) => Replacement | undefined,
  ) => {
    const replaced = new Map<number, Module>();
    try {
      let residual = 0;
      for (const i of layers) {
        const r = replace(i);
        if (!r) continue;
        replaced.set(i, r.module);
        residual = Math.max(residual, r.residual);
      }
      const probeModel = new Sequential(
        model.layers.map((l, i) => replaced.get(i) ?? l),
        `${model.name}.${method}${setting}`,
      );
      const parameters = countParameters(probeModel);
      const first = await options.evaluate(probeModel);
      const point: FactorisationPoint = {
        method,
        setting,
        parameters,
        compression: dense / parameters,
        residual,
        accuracy: first,
      };
      const { fineTune } = options;
      if (fineTune && method !== 'dense') {
        const shared = model.layers.filter((_, i) => !replaced.has(i));
        point.accuracy = await withLayersRestored(shared, async () => {
          await fineTune(probeModel, { method, setting });
          return options.evaluate(probeModel);
        });
        point.accuracyBeforeTuning = first;
      }
      points.push(point);
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
        return rank < d.k
          ? {
              module: lowRankDense(model.layers[i] as Dense, rank, d),
              residual: truncationResidual(d.s, rank),
            }
          : undefined;
      });
  }
  if (options.kroneckerTerms?.length) {
    const shapeOf = (i: number) => {
      const layer = model.layers[i] as Dense;
      return options.kroneckerShapes?.[i] ?? kroneckerShapeFor(layer.inFeatures, layer.outFeatures);
    };
    // one SVD of each layer's rearrangement, made when first asked for, truncated at every count
    const decompositions = new Map<number, Svd>();
    const decompositionOf = (i: number) => {
      let d = decompositions.get(i);
      if (!d) {
        d = kroneckerDecomposition((model.layers[i] as Dense).weight.dataSync(), shapeOf(i));
        decompositions.set(i, d);
      }
      return d;
    };
    for (const terms of options.kroneckerTerms)
      await probe('kronecker', terms, (i) => {
        const d = decompositionOf(i);
        return {
          module: kroneckerDense(model.layers[i] as Dense, shapeOf(i), terms, d),
          residual: truncationResidual(d.s, terms),
        };
      });
  }
  return points;
}

/**
 * Runs `work` with the modules' parameters and buffers, their trainable flags and training mode
 * saved before and put back after (also when `work` throws).
 */
async function withLayersRestored<T>(modules: readonly Module[], work: () => Promise<T>): Promise<T> {
  const saved = modules.map((module) => {
    const state: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(module.stateDict())) state[k] = clone(v);
    const trainable = Object.entries(module.parameters()).map(([k, v]) => [k, v.trainable] as const);
    return { module, state, trainable, training: module.training };
  });
  try {
    return await work();
  } finally {
    for (const { module, state, trainable, training } of saved) {
      module.loadStateDict(state);
      const params = module.parameters();
      for (const [k, t] of trainable) params[k]!.trainable = t;
      module.train(training);
      dispose(Object.values(state));
    }
  }
}
