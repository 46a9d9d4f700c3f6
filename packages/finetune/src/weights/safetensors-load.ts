// Loading a safetensors file into a module by name: @lab's own checkpoints and state dicts, and
// PyTorch state_dicts (safetensors.torch.save_file), with a name map and PyTorch layout conversion.
import { decodeTensor, type Module, parseSafetensors, type RawTensor } from '@lab/core';
import { stateOwners } from '../module-tree.js';
import { applyTensors, type PreparedTensor } from './apply.js';
import { type LoadReport, WeightsFormatError } from './errors.js';
import { type HostValues, torchLocalName, torchToLab } from './layout.js';

export type SourceLayout = 'lab' | 'torch';

/**
 * File name -> model name. An object lists renames (unlisted names stay as they are; `null` drops a
 * name); a function returns the model name, or null/undefined to drop it.
 */
export type NameMap =
  | Readonly<Record<string, string | null>>
  | ((source: string) => string | null | undefined);

export interface SafetensorsLoadOptions {
  /**
   * 'lab': our layouts; 'torch': a PyTorch state_dict (conv and linear weights transposed, BatchNorm's
   * running_mean/running_var renamed, num_batches_tracked ignored). Default: read from the file's
   * metadata (@lab checkpoints carry "lab", safetensors.torch writes format "pt"); otherwise required.
   */
  layout?: SourceLayout;
  nameMap?: NameMap;
  /** Throw one error listing every missing, unexpected and misshapen tensor (loading nothing). Default true. */
  strict?: boolean;
  /**
   * PyTorch linear layers that read a flattened [c, h, w] feature map, by module path (e.g. `{ '6': [6, 4, 4] }`):
   * their input rows are reordered from NCHW to our NHWC flatten order.
   */
  flattenedFrom?: Readonly<Record<string, readonly [number, number, number]>>;
  /**
   * PyTorch linear layers whose output is unflattened into a [c, h, w] feature map (nn.Unflatten or a
   * view, as in a generator), by module path: their output columns and bias are reordered to NHWC.
   */
  unflattenedTo?: Readonly<Record<string, readonly [number, number, number]>>;
  /** For @lab checkpoints: the module to read (needed when the checkpoint holds several). */
  checkpointModule?: string;
}

/** The names in the header, read again, so that no name a plain object would drop goes unseen. */
function headerNames(bytes: Uint8Array): string[] {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as object;
  return Object.keys(header).filter((k) => k !== '__metadata__');
}

function pickLayout(option: SourceLayout | undefined, metadata: Record<string, string>): SourceLayout {
  if (option !== undefined) {
    if (option !== 'lab' && option !== 'torch') {
      throw new WeightsFormatError('BadOption', 'layout', `must be 'lab' or 'torch', got ${String(option)}`);
    }
    return option;
  }
  if (Object.hasOwn(metadata, 'lab')) return 'lab';
  if (metadata.format === 'pt') return 'torch';
  throw new WeightsFormatError(
    'BadOption',
    'layout',
    "the file does not say whose layout it has; pass layout: 'lab' or 'torch'",
  );
}

/** For @lab checkpoints ("module.<m>.<key>" names): the prefix of the chosen module. */
function checkpointPrefix(names: readonly string[], chosen: string | undefined): string {
  const modules = [...new Set(names.filter((n) => n.startsWith('module.')).map((n) => n.split('.')[1]!))];
  if (chosen !== undefined) {
    if (!modules.includes(chosen)) {
      throw new WeightsFormatError(
        'UnknownModule',
        'checkpointModule',
        `'${chosen}' is not in the checkpoint (it has: ${modules.join(', ') || 'no modules'})`,
      );
    }
    return `module.${chosen}.`;
  }
  if (modules.length !== 1) {
    throw new WeightsFormatError(
      'UnknownModule',
      'checkpointModule',
      `the checkpoint holds ${modules.length} modules (${modules.join(', ')}); say which to load`,
    );
  }
  return `module.${modules[0]}.`;
}

const ownValue = <T>(o: Readonly<Record<string, T>>, k: string): T | undefined =>
  Object.hasOwn(o, k) ? o[k] : undefined;

function mapName(nameMap: NameMap | undefined, source: string): string | null {
  if (nameMap === undefined) return source;
  const mapped =
    typeof nameMap === 'function'
      ? nameMap(source)
      : Object.hasOwn(nameMap, source)
        ? nameMap[source]
        : source;
  if (mapped === null || mapped === undefined) return null;
  if (typeof mapped !== 'string')
    throw new WeightsFormatError(
      'BadOption',
      `nameMap(${source})`,
      `returned ${typeof mapped}, not a string`,
    );
  return mapped;
}

function decode(name: string, raw: RawTensor): HostValues {
  let decoded: ReturnType<typeof decodeTensor>;
  try {
    decoded = decodeTensor(raw);
  } catch (e) {
    throw new WeightsFormatError('BadDtype', name, (e as Error).message);
  }
  if (decoded.dtype === 'bool')
    throw new WeightsFormatError('BadDtype', name, 'a BOOL tensor cannot be a weight');
  return decoded.data as HostValues;
}

/** Loads a safetensors buffer into `model` by name and reports what matched. */
export function loadSafetensors(
  model: Module,
  bytes: Uint8Array,
  options: SafetensorsLoadOptions = {},
): LoadReport {
  const { tensors, metadata } = parseSafetensors(bytes);
  const names = headerNames(bytes);
  for (const name of names) {
    // "__proto__" is refused outright: core now keeps it as an ordinary key, but name maps and
    // reports downstream are plain objects
    if (name === '__proto__' || !Object.hasOwn(tensors, name))
      throw new WeightsFormatError('UnsafeName', name, 'this tensor name cannot be read safely');
  }
  const layout = pickLayout(options.layout, metadata);
  const isCheckpoint = layout === 'lab' && Object.hasOwn(metadata, 'lab');
  const prefix = isCheckpoint ? checkpointPrefix(names, options.checkpointModule) : '';
  const owners = stateOwners(model);
  const flattened = options.flattenedFrom ?? {};
  const unflattened = options.unflattenedTo ?? {};
  const paths = new Set([...owners.values()].map((o) => o.path));
  for (const [option, links] of [
    ['flattenedFrom', flattened],
    ['unflattenedTo', unflattened],
  ] as const) {
    for (const path of Object.keys(links)) {
      if (!paths.has(path))
        throw new WeightsFormatError('UnknownModule', `${option}.${path}`, 'no module has this path');
    }
  }
  const prepared: PreparedTensor[] = [];
  const ignored: string[] = [];
  const unexpected: string[] = [];
  for (const source of names) {
    if (isCheckpoint && !source.startsWith(prefix)) {
      ignored.push(source); // other modules and optimizer state of the checkpoint
      continue;
    }
    if (layout === 'torch' && source.endsWith('num_batches_tracked')) {
      ignored.push(source); // our BatchNorm has a fixed momentum; the batch count changes nothing
      continue;
    }
    let target = mapName(options.nameMap, source.slice(prefix.length));
    if (target === null) {
      ignored.push(source);
      continue;
    }
    const raw = tensors[source]!;
    let values = decode(source, raw);
    let shape = [...raw.shape];
    if (layout === 'torch') {
      const dot = target.lastIndexOf('.');
      target = target.slice(0, dot + 1) + torchLocalName(target.slice(dot + 1));
      const owner = owners.get(target);
      if (owner) {
        ({ values, shape } = torchToLab(owner.module, owner.local, values, shape, {
          flattenedFrom: ownValue(flattened, owner.path),
          unflattenedTo: ownValue(unflattened, owner.path),
          path: owner.path,
        }));
      }
    }
    if (!owners.has(target)) {
      unexpected.push(source);
      continue;
    }
    prepared.push({ source, target, shape, values });
  }
  return applyTensors(model, prepared, { strict: options.strict ?? true, ignored, unexpected });
}
