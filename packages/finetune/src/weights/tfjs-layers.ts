// Reading a TensorFlow.js Layers model (model.json + binary weight shards, the format tfjs-converter
// writes from Keras): the layer list from modelTopology (nested models flattened) and the weights
// from weightsManifest, each group's shards concatenated and cut into weights in manifest order.
import { WeightsFormatError } from './errors.js';
import type { HostValues } from './layout.js';

export interface KerasLayerInfo {
  name: string;
  /** Keras class, e.g. 'Conv2D', 'BatchNormalization', 'Dense'. */
  className: string;
  /** The layer's config as written (filters, kernel_size, epsilon, activation, ...). */
  config: Readonly<Record<string, unknown>>;
}

export interface TfjsWeight {
  /** The manifest's name, e.g. 'conv2d/kernel'. */
  name: string;
  shape: number[];
  values: HostValues;
}

export interface TfjsLayersModel {
  layers: KerasLayerInfo[];
  weights: TfjsWeight[];
}

/** Shard bytes by the manifest's relative path, as an object or a function (e.g. reading files). */
export type ShardSource = Readonly<Record<string, Uint8Array>> | ((path: string) => Uint8Array);

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const field = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

function layersOf(node: unknown, where: string, out: KerasLayerInfo[]): void {
  if (!isObject(node)) throw new WeightsFormatError('BadTopology', where, 'is not an object');
  const className = field(node, 'class_name');
  const config = field(node, 'config');
  if (typeof className !== 'string')
    throw new WeightsFormatError('BadTopology', `${where}.class_name`, 'is not a string');
  // Keras 2.0-2.1 wrote a Sequential's config as the bare list of layers
  const children = Array.isArray(config) ? config : isObject(config) ? field(config, 'layers') : undefined;
  if (children !== undefined) {
    if (!Array.isArray(children))
      throw new WeightsFormatError('BadTopology', `${where}.config.layers`, 'is not a list');
    for (const [i, child] of children.entries()) layersOf(child, `${where}.config.layers[${i}]`, out);
    return;
  }
  if (!isObject(config)) throw new WeightsFormatError('BadTopology', `${where}.config`, 'is not an object');
  const name = field(config, 'name');
  if (typeof name !== 'string' || name === '')
    throw new WeightsFormatError('BadTopology', `${where}.config.name`, 'is not a non-empty string');
  out.push({ name, className, config });
}

/** The layers of model.json's topology (a parsed object or its text), nested models flattened in order. */
export function kerasLayers(modelJson: unknown, file = 'model.json'): KerasLayerInfo[] {
  const root = parseJson(modelJson, file);
  let topology = field(root, 'modelTopology');
  if (!isObject(topology))
    throw new WeightsFormatError('BadTopology', `${file}: modelTopology`, 'is missing');
  // tfjs-converter nests the model under model_config; tfjs-layers' own save() does not
  if (isObject(field(topology, 'model_config'))) topology = field(topology, 'model_config');
  const out: KerasLayerInfo[] = [];
  layersOf(topology, `${file}: modelTopology`, out);
  const seen = new Set<string>();
  for (const l of out) {
    if (seen.has(l.name))
      throw new WeightsFormatError('BadTopology', `${file}: layer '${l.name}'`, 'appears twice');
    seen.add(l.name);
  }
  return out;
}

function parseJson(modelJson: unknown, file: string): Record<string, unknown> {
  let root = modelJson;
  if (typeof modelJson === 'string') {
    try {
      root = JSON.parse(modelJson);
    } catch (e) {
      throw new WeightsFormatError('BadTopology', file, `is not JSON: ${(e as Error).message}`);
    }
  }
  if (!isObject(root)) throw new WeightsFormatError('BadTopology', file, 'is not a JSON object');
  return root;
}

type Quantization = { dtype: 'uint8' | 'uint16' | 'float16'; scale: number; min: number };
interface Spec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: Quantization;
  bytes: number;
}

function specOf(raw: unknown, where: string): Spec {
  if (!isObject(raw)) throw new WeightsFormatError('BadManifest', where, 'is not an object');
  const name = field(raw, 'name');
  const shape = field(raw, 'shape');
  const dtype = field(raw, 'dtype') ?? 'float32';
  if (typeof name !== 'string' || name === '')
    throw new WeightsFormatError('BadManifest', `${where}.name`, 'is not a non-empty string');
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new WeightsFormatError('BadShape', name, `shape ${JSON.stringify(shape)} is not a list of sizes`);
  if (dtype !== 'float32' && dtype !== 'int32')
    throw new WeightsFormatError(
      'BadDtype',
      name,
      `dtype ${JSON.stringify(dtype)} (float32 or int32 expected)`,
    );
  const count = shape.reduce((a: number, b: number) => a * b, 1);
  if (!Number.isSafeInteger(count * 4)) throw new WeightsFormatError('BadShape', name, 'is too large');
  const q = field(raw, 'quantization');
  if (q === undefined) return { name, shape, dtype, bytes: count * 4 };
  if (!isObject(q)) throw new WeightsFormatError('BadManifest', `${name}.quantization`, 'is not an object');
  const qd = field(q, 'dtype');
  if (qd !== 'uint8' && qd !== 'uint16' && qd !== 'float16')
    throw new WeightsFormatError('BadDtype', name, `quantization dtype ${JSON.stringify(qd)}`);
  const scale = field(q, 'scale') ?? 1;
  const min = field(q, 'min') ?? 0;
  if (
    qd !== 'float16' &&
    !(typeof scale === 'number' && Number.isFinite(scale) && typeof min === 'number' && Number.isFinite(min))
  )
    throw new WeightsFormatError('BadManifest', `${name}.quantization`, 'needs finite scale and min');
  const size = qd === 'uint8' ? 1 : 2;
  return {
    name,
    shape,
    dtype,
    quantization: { dtype: qd, scale: scale as number, min: min as number },
    bytes: count * size,
  };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function decodeWeight(spec: Spec, bytes: Uint8Array): HostValues {
  const copy = new Uint8Array(bytes); // aligned
  const q = spec.quantization;
  if (!q) return spec.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
  const view = new DataView(copy.buffer);
  const count = spec.bytes / (q.dtype === 'uint8' ? 1 : 2);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    if (q.dtype === 'uint8') out[i] = copy[i]! * q.scale + q.min;
    else if (q.dtype === 'uint16') out[i] = view.getUint16(2 * i, true) * q.scale + q.min;
    else out[i] = halfToFloat(view.getUint16(2 * i, true));
  }
  return spec.dtype === 'int32' ? Int32Array.from(out, Math.round) : out;
}

function shardBytes(shards: ShardSource, path: string, where: string): Uint8Array {
  if (path === '' || path.startsWith('/') || /^[a-z]+:/i.test(path) || path.split(/[\\/]/).includes('..'))
    throw new WeightsFormatError(
      'MissingShard',
      where,
      `refuses the shard path ${JSON.stringify(path)} (not a plain relative path)`,
    );
  const bytes =
    typeof shards === 'function' ? shards(path) : Object.hasOwn(shards, path) ? shards[path] : undefined;
  if (!(bytes instanceof Uint8Array))
    throw new WeightsFormatError('MissingShard', path, 'shard not provided');
  return bytes;
}

/** The weights of model.json's weightsManifest, read from the shards, in manifest order. */
export function tfjsWeights(modelJson: unknown, shards: ShardSource, file = 'model.json'): TfjsWeight[] {
  const root = parseJson(modelJson, file);
  const manifest = field(root, 'weightsManifest');
  if (!Array.isArray(manifest))
    throw new WeightsFormatError('BadManifest', `${file}: weightsManifest`, 'is not a list');
  const out: TfjsWeight[] = [];
  const names = new Set<string>();
  manifest.forEach((group, g) => {
    const where = `${file}: weightsManifest[${g}]`;
    if (!isObject(group)) throw new WeightsFormatError('BadManifest', where, 'is not an object');
    const paths = field(group, 'paths');
    const specsRaw = field(group, 'weights');
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string'))
      throw new WeightsFormatError('BadManifest', `${where}.paths`, 'is not a list of strings');
    if (!Array.isArray(specsRaw))
      throw new WeightsFormatError('BadManifest', `${where}.weights`, 'is not a list');
    const specs = specsRaw.map((s, i) => specOf(s, `${where}.weights[${i}]`));
    const parts = paths.map((p) => shardBytes(shards, p, `${where}.paths`));
    const total = parts.reduce((a, p) => a + p.length, 0);
    const needed = specs.reduce((a, s) => a + s.bytes, 0);
    if (total !== needed)
      throw new WeightsFormatError(
        'ShardSize',
        `${where} (${paths.join(', ')})`,
        `shards hold ${total} bytes, the weights need ${needed}`,
      );
    const data = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    at = 0;
    for (const s of specs) {
      if (names.has(s.name))
        throw new WeightsFormatError('BadManifest', s.name, 'appears twice in the manifest');
      names.add(s.name);
      out.push({ name: s.name, shape: s.shape, values: decodeWeight(s, data.subarray(at, at + s.bytes)) });
      at += s.bytes;
    }
  });
  return out;
}

/** Layers and weights of a TensorFlow.js Layers model. */
export function readTfjsLayersModel(
  modelJson: unknown,
  shards: ShardSource,
  file = 'model.json',
): TfjsLayersModel {
  return { layers: kerasLayers(modelJson, file), weights: tfjsWeights(modelJson, shards, file) };
}
