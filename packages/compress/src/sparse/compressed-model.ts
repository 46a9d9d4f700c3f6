// Runs a network straight from a compressed file: every Dense layer whose weights the file stores
// sparse or shared runs as a SparseDense (shared weights keep their codebook and one-byte codes, never
// expanded), fused with a following ReLU; every other tensor is decoded dense into the architecture.
// The architecture (a core Sequential) gives the layers; the file gives every one of its parameters.
import { Dense, type LabRuntime, labRuntime, type Module, Sequential } from '@lab/core';
import { type Tensor, tensor } from '@tensorflow/tfjs-core';
import { decodeEntries, entriesToDense, type TensorEntries } from '../coding/decode.js';
import type { FileHeader } from '../coding/header.js';
import { type CsrMatrix, csrFromDense, csrFromShared } from './csr.js';
import { SparseDense } from './sparse-dense.js';

export type LayerMode = 'auto' | 'sparse' | 'dense';

export interface CompressedModelOptions {
  /**
   * 'sparse': every sparse or shared Dense weight runs on the CSR kernel; 'dense': everything is
   * expanded; 'auto' (default): sparse where the stored density is at most `maxDensity`.
   */
  mode?: LayerMode;
  /** Largest fraction of stored weights for which 'auto' runs a layer sparse. Default 0.5. */
  maxDensity?: number;
  /** Run the sparse layers in JavaScript (no WASM SIMD). Default false. */
  javascript?: boolean;
  runtime?: LabRuntime;
}

export interface LayerPlan {
  /** Index in the architecture's layers. */
  index: number;
  name: string;
  /** How it runs: the CSR kernel on float32 values or on shared codes, or dense as decoded. */
  runs: 'sparse-float' | 'sparse-shared' | 'dense';
  /** Fraction of the weight matrix stored (1 for dense layers and layers without weights). */
  density: number;
}

/** A file that does not fit the architecture (names, shapes). */
export class CompressedModelError extends Error {
  override name = 'CompressedModelError';
}

function weightCsr(e: TensorEntries): CsrMatrix | null {
  if (e.shape.length !== 2) return null;
  const [inF, outF] = e.shape as [number, number];
  if (e.encoding === 'shared')
    return csrFromShared(e.positions, e.codes, e.codebook, inF, outF, { transpose: true });
  if (e.encoding === 'sparse') return csrFromDense(entriesToDense(e), inF, outF, { transpose: true });
  return null;
}

function isRelu(m: Module | undefined): boolean {
  return (
    m !== undefined && !(m instanceof Dense) && m.name === 'relu' && Object.keys(m.parameters()).length === 0
  );
}

export class CompressedModel {
  private constructor(
    readonly model: Sequential,
    readonly header: FileHeader,
    readonly plan: LayerPlan[],
  ) {}

  /**
   * Loads `bytes` (checked as decodeCompressed checks them) into `architecture`, which the returned
   * model takes over (do not use or dispose it afterwards): its replaced Dense layers are disposed.
   */
  static load(
    bytes: Uint8Array,
    architecture: Sequential,
    options: CompressedModelOptions = {},
  ): CompressedModel {
    const { mode = 'auto', maxDensity = 0.5, javascript = false, runtime = labRuntime() } = options;
    if (!(maxDensity >= 0 && maxDensity <= 1))
      throw new RangeError(`CompressedModel: maxDensity must be in [0, 1], got ${maxDensity}`);
    const { header, tensors } = decodeEntries(bytes);
    const byName = new Map(tensors.map((t) => [t.name, t]));
    const expected = architecture.stateDict();
    for (const name of byName.keys())
      if (!(name in expected))
        throw new CompressedModelError(`the file's tensor '${name}' is not in the architecture`);
    for (const [name, v] of Object.entries(expected)) {
      const t = byName.get(name);
      if (!t) throw new CompressedModelError(`the file has no tensor '${name}'`);
      if (t.shape.join(',') !== v.shape.join(','))
        throw new CompressedModelError(
          `tensor '${name}' is [${t.shape.join(', ')}] in the file, [${v.shape.join(', ')}] in the architecture`,
        );
    }
    const layers: Module[] = [];
    const plan: LayerPlan[] = [];
    const replaced = new Set<string>();
    const src = architecture.layers;
    for (let i = 0; i < src.length; i++) {
      const layer = src[i]!;
      const w = byName.get(`${i}.weight`);
      const csr = layer instanceof Dense && mode !== 'dense' && w ? weightCsr(w) : null;
      const density = csr ? csr.colIndex.length / Math.max(1, csr.rows * csr.cols) : 1;
      if (!csr || (mode === 'auto' && density > maxDensity)) {
        layers.push(layer);
        plan.push({ index: i, name: layer.name, runs: 'dense', density });
        continue;
      }
      const b = byName.get(`${i}.bias`);
      const relu = isRelu(src[i + 1]);
      layers.push(new SparseDense(csr, b ? entriesToDense(b) : undefined, { relu, javascript, runtime }));
      plan.push({ index: i, name: layer.name, runs: `sparse-${csr.entries.kind}`, density });
      replaced.add(`${i}.weight`).add(`${i}.bias`);
      if (relu) i++; // fused
    }
    const dense = Object.fromEntries(
      tensors
        .filter((t) => !replaced.has(t.name))
        .map((t) => [t.name, tensor(entriesToDense(t), t.shape, 'float32')]),
    );
    try {
      architecture.loadStateDict(dense, { strict: false });
    } finally {
      for (const t of Object.values(dense)) t.dispose();
    }
    for (const layer of src) if (!layers.includes(layer)) layer.dispose();
    return new CompressedModel(new Sequential(layers, 'compressed'), header, plan);
  }

  /** The network's output for `x` (the caller owns it). */
  predict(x: Tensor): Tensor {
    return this.model.forward(x);
  }

  dispose(): void {
    this.model.dispose();
  }
}
