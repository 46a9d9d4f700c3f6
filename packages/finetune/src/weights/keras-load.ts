// Keras weights (read from a TensorFlow.js Layers model) into @lab modules. Keras's layouts are
// TensorFlow's, like ours (conv kernels [kh, kw, in, out], dense kernels [in, out], NHWC flatten), so
// only names change: kernel/bias, gamma/beta/moving_mean/moving_variance, embeddings. Layer settings
// that change results without changing shapes (BatchNorm epsilon and momentum, strides, padding, an
// activation inside a Keras layer) are compared with the module and reported as warnings.
import { BatchNorm, Conv2d, ConvTranspose2d, Dense, Embedding, LayerNorm, type Module } from '@lab/core';
import { namedModules, parameterisedModules } from '../module-tree.js';
import { applyTensors, type PreparedTensor } from './apply.js';
import { type LoadReport, WeightsFormatError } from './errors.js';
import type { KerasLayerInfo, TfjsLayersModel } from './tfjs-layers.js';

export interface KerasLoadOptions {
  /**
   * Keras layer name -> @lab module path (an object, or a function of the layer). `null` drops a
   * layer's weights (reported as ignored); a layer left unmapped has its weights reported as unexpected.
   * Default: the Keras layers that have weights, in order, paired with the modules that own parameters,
   * in order (as Keras's own load_weights pairs layers).
   */
  layerMap?: Readonly<Record<string, string | null>> | ((layer: KerasLayerInfo) => string | null | undefined);
  /** Throw one error listing every problem (loading nothing) unless everything fits. Default true. */
  strict?: boolean;
}

type ModuleClass = abstract new (...args: never[]) => Module;
const MODULE_OF: Readonly<Record<string, ModuleClass>> = {
  Conv2D: Conv2d,
  Conv2DTranspose: ConvTranspose2d,
  Dense,
  BatchNormalization: BatchNorm,
  LayerNormalization: LayerNorm,
  Embedding,
};
const LOCAL_NAME: Readonly<Record<string, string>> = {
  kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'runningMean',
  moving_variance: 'runningVar',
  embeddings: 'weight',
};
const own = <T>(o: Readonly<Record<string, T>>, k: string): T | undefined =>
  Object.hasOwn(o, k) ? o[k] : undefined;

/** The layer a weight belongs to: the nearest '/'-separated segment before the last that names a layer. */
function splitWeightName(name: string, layers: ReadonlyMap<string, KerasLayerInfo>) {
  const segments = name.replace(/:\d+$/, '').split('/');
  const kind = segments.pop()!;
  for (let i = segments.length - 1; i >= 0; i--) {
    const layer = layers.get(segments[i]!);
    if (layer) return { layer, kind };
  }
  return undefined;
}

const pair = (v: unknown): number | undefined =>
  Array.isArray(v) && v.length === 2 && v[0] === v[1] && typeof v[0] === 'number' ? v[0] : undefined;

/** Settings of the Keras layer that the @lab module does not share. */
function settingWarnings(layer: KerasLayerInfo, module: Module, path: string): string[] {
  const c = layer.config;
  const out: string[] = [];
  const at = `${layer.name} -> ${path}`;
  const activation = own(c, 'activation');
  if (typeof activation === 'string' && activation !== 'linear' && layer.className in MODULE_OF)
    out.push(`${at}: Keras applies activation '${activation}' inside the layer; add it after the module`);
  if (module instanceof BatchNorm) {
    const eps = own(c, 'epsilon');
    if (typeof eps === 'number' && Math.abs(eps - module.eps) > 1e-12)
      out.push(`${at}: epsilon ${eps} in Keras, ${module.eps} here`);
    const momentum = own(c, 'momentum');
    if (typeof momentum === 'number' && Math.abs(1 - momentum - module.momentum) > 1e-9)
      out.push(
        `${at}: Keras momentum ${momentum} means our momentum ${+(1 - momentum).toFixed(6)}, here ${module.momentum}`,
      );
  }
  if (module instanceof Conv2d || module instanceof ConvTranspose2d) {
    const stride = pair(own(c, 'strides'));
    if (stride !== undefined && stride !== module.stride)
      out.push(`${at}: stride ${stride} in Keras, ${module.stride} here`);
    const padding = own(c, 'padding');
    if (typeof padding === 'string' && padding !== module.padding)
      out.push(`${at}: padding '${padding}' in Keras, ${JSON.stringify(module.padding)} here`);
  }
  return out;
}

function layerTargets(
  model: Module,
  layers: readonly KerasLayerInfo[],
  withWeights: ReadonlySet<string>,
  layerMap: KerasLoadOptions['layerMap'],
): Map<string, string | null | undefined> {
  const targets = new Map<string, string | null | undefined>();
  if (layerMap === undefined) {
    const modules = parameterisedModules(model).map(([p]) => p);
    layers
      .filter((l) => withWeights.has(l.name))
      .forEach((l, i) => {
        targets.set(l.name, modules[i]);
      });
    return targets;
  }
  for (const l of layers) {
    const mapped = typeof layerMap === 'function' ? layerMap(l) : own(layerMap, l.name);
    if (mapped !== undefined && mapped !== null && typeof mapped !== 'string')
      throw new WeightsFormatError(
        'BadOption',
        `layerMap(${l.name})`,
        `returned ${typeof mapped}, not a path`,
      );
    targets.set(l.name, mapped);
  }
  return targets;
}

/** Loads the weights of a TensorFlow.js Layers (Keras) model into `model` and reports what matched. */
export function loadKerasWeights(
  model: Module,
  source: TfjsLayersModel,
  { layerMap, strict = true }: KerasLoadOptions = {},
): LoadReport {
  const layers = new Map(source.layers.map((l) => [l.name, l]));
  const modules = new Map(namedModules(model));
  const placed = source.weights.map((w) => ({ w, at: splitWeightName(w.name, layers) }));
  const withWeights = new Set(placed.flatMap((p) => (p.at ? [p.at.layer.name] : [])));
  const targets = layerTargets(model, source.layers, withWeights, layerMap);
  const prepared: PreparedTensor[] = [];
  const unexpected: string[] = [];
  const ignored: string[] = [];
  const warnings: string[] = [];
  const checked = new Set<string>();
  for (const { w, at } of placed) {
    const path = at ? targets.get(at.layer.name) : undefined;
    if (!at || path === undefined) {
      unexpected.push(w.name);
      continue;
    }
    if (path === null) {
      ignored.push(w.name);
      continue;
    }
    const module = modules.get(path);
    if (!module || path === '')
      throw new WeightsFormatError(
        'UnknownModule',
        `layerMap.${at.layer.name}`,
        `no module has the path '${path}'`,
      );
    const expected = own(MODULE_OF, at.layer.className);
    const local = own(LOCAL_NAME, at.kind);
    if (!checked.has(at.layer.name)) {
      checked.add(at.layer.name);
      if (!expected)
        warnings.push(
          `${at.layer.name}: Keras ${at.layer.className} has no @lab equivalent here; its weights are unexpected`,
        );
      else if (!(module instanceof expected))
        warnings.push(
          `${at.layer.name} -> ${path}: a Keras ${at.layer.className} cannot fill module '${(module as Module).name}'`,
        );
      else warnings.push(...settingWarnings(at.layer, module, path));
    }
    if (!expected || !(module instanceof expected) || !local) {
      unexpected.push(w.name);
      continue;
    }
    prepared.push({ source: w.name, target: `${path}.${local}`, shape: w.shape, values: w.values });
  }
  // BatchNormalization(scale=False / center=False) stores no gamma / beta: they are 1 and 0
  for (const [name, path] of targets) {
    const layer = layers.get(name)!;
    const module = typeof path === 'string' ? modules.get(path) : undefined;
    if (layer.className !== 'BatchNormalization' || !(module instanceof BatchNorm)) continue;
    const n = module.features;
    if (own(layer.config, 'scale') === false)
      prepared.push({
        source: `${name}/gamma (scale=False)`,
        target: `${path}.weight`,
        shape: [n],
        values: new Float32Array(n).fill(1),
      });
    if (own(layer.config, 'center') === false)
      prepared.push({
        source: `${name}/beta (center=False)`,
        target: `${path}.bias`,
        shape: [n],
        values: new Float32Array(n),
      });
  }
  return applyTensors(model, prepared, { strict, unexpected, ignored, warnings });
}
