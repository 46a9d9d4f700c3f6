// The CSR kernels against tfjs's cpu matMul on random sparse matrices, SparseDense against Dense, and
// a compressed LeNet-300-100 run from its file against its decoded dense twin.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Dense, initBackend, Rng, Sequential } from '@lab/core';
import { argMax, matMul, memory, type Tensor, tensor2d, tensor4d, tidy } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCompressed, decodedToTensors } from '../coding/decode.js';
import { encodeCompressed } from '../coding/encode.js';
import { lenet300100 } from '../models.js';
import { MaskSet } from '../prune/mask-set.js';
import { SharedWeights } from '../share/weight-sharing.js';
import { CompressedModel, CompressedModelError } from './compressed-model.js';
import {
  type CsrMatrix,
  csrFromDense,
  csrFromShared,
  csrMatMulReference,
  csrSparsity,
  csrToDense,
} from './csr.js';
import { csrKernelSupported } from './csr-kernel.js';
import { SparseDense } from './sparse-dense.js';
import { sparseMatMul, sparseMatMulValues } from './sparse-matmul.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** A rows x cols matrix with about `sparsity` of its entries zero and every third row empty. */
function randomSparse(
  rows: number,
  cols: number,
  sparsity: number,
  seed: number,
  emptyRows = true,
): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (emptyRows && r % 3 === 1) continue;
    for (let c = 0; c < cols; c++) if (rng.next() >= sparsity) a[r * cols + c] = rng.normal();
  }
  return a;
}

function randomDense(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** max |x - y| relative to the largest |y| (at least 1). */
function relativeError(x: Float32Array, y: Float32Array): number {
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < y.length; i++) scale = Math.max(scale, Math.abs(y[i]!));
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  return worst / scale;
}

function tfjsProduct(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Float32Array {
  return tidy(() => matMul(tensor2d(a, [m, k]), tensor2d(b, [k, n])).dataSync() as Float32Array);
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 2],
  [7, 13, 5],
  [33, 17, 19],
  [16, 16, 16],
  [64, 300, 3],
  [10, 100, 37],
  [100, 300, 128],
];
const SPARSITIES = [0, 0.5, 0.9, 0.99, 1];

describe('CSR matrices', () => {
  it('round-trip dense -> CSR -> dense, transposed or not, and count what they store', () => {
    const a = randomSparse(7, 5, 0.6, 1);
    const csr = csrFromDense(a, 7, 5);
    expect(Array.from(csrToDense(csr))).toEqual(Array.from(a));
    const t = csrFromDense(a, 7, 5, { transpose: true });
    expect([t.rows, t.cols]).toEqual([5, 7]);
    const back = csrToDense(t);
    for (let r = 0; r < 7; r++) for (let c = 0; c < 5; c++) expect(back[c * 7 + r]).toBe(a[r * 5 + c]);
    const zeros = a.filter((v) => v === 0).length;
    expect(csrSparsity(csr)).toBeCloseTo(zeros / 35, 10);
    expect(csr.rowPtr[7]).toBe(35 - zeros);
    expect(() => csrFromDense(a, 6, 5)).toThrow(/35 values for a 6 x 5 matrix/);
  });

  it('shared CSR keeps the codebook and drops code-0 fillers; bad codes are refused', () => {
    const codebook = Float32Array.from([-0.5, 0.25, 1]);
    const positions = Int32Array.from([0, 3, 4, 8]);
    const codes = Uint8Array.from([2, 0, 3, 1]); // entry 1 is a filler
    const csr = csrFromShared(positions, codes, codebook, 3, 3);
    expect(csr.entries.kind).toBe('shared');
    expect(Array.from(csrToDense(csr))).toEqual([0.25, 0, 0, 0, 1, 0, 0, 0, -0.5]);
    expect(csr.colIndex.length).toBe(3);
    expect(() => csrFromShared(positions, Uint8Array.from([2, 0, 4, 1]), codebook, 3, 3)).toThrow(/code 4/);
    expect(() => csrFromShared(Int32Array.from([0, 3, 4, 9]), codes, codebook, 3, 3)).toThrow(/outside/);
  });
});

describe('sparseMatMul', () => {
  it('runs on the WASM SIMD kernel under Node', () => {
    expect(csrKernelSupported()).toBe(true);
  });

  for (const [m, k, n] of SHAPES)
    for (const s of SPARSITIES)
      it(`matches tfjs matMul: [${m} x ${k}] at ${s * 100}% sparsity . [${k} x ${n}]`, () => {
        const a = randomSparse(m, k, s, m * 1000 + k + n);
        const b = randomDense(k * n, 7 + n);
        const want = tfjsProduct(a, m, k, b, n);
        const csr = csrFromDense(a, m, k);
        if (s === 1) expect(csr.colIndex.length).toBe(0);
        if (s === 0) expect(csr.colIndex.length).toBe(m * k - Math.floor((m + 1) / 3) * k);
        const start = memory().numTensors;
        const got = sparseMatMul(csr, tensor2d(b, [k, n]));
        expect(got.shape).toEqual([m, n]);
        const values = got.dataSync() as Float32Array;
        got.dispose();
        expect(memory().numTensors).toBe(start + 1); // only the operand made above
        expect(relativeError(values, want)).toBeLessThan(1e-5);
        // empty rows give exact zeros
        for (let r = 1; r < m; r += 3) for (let j = 0; j < n; j++) expect(values[r * n + j]).toBe(0);
        // the JavaScript path agrees
        const js = sparseMatMulValues(csr, b, n, { javascript: true });
        expect(relativeError(js, want)).toBeLessThan(1e-5);
      });

  it('adds the bias per row and applies ReLU, in the kernel and in JavaScript', () => {
    const [m, k, n] = [9, 21, 23];
    const a = randomSparse(m, k, 0.7, 3);
    const b = randomDense(k * n, 4);
    const bias = randomDense(m, 5);
    const product = tfjsProduct(a, m, k, b, n);
    const want = product.map((v, i) => Math.max(0, v + bias[Math.floor(i / n)]!));
    const csr = csrFromDense(a, m, k);
    for (const javascript of [false, true]) {
      const got = sparseMatMulValues(csr, b, n, { bias, relu: true, javascript });
      expect(relativeError(got, want)).toBeLessThan(1e-5);
      expect(got.every((v) => v >= 0)).toBe(true);
    }
  });

  it('runs shared weights (codes + codebook) as their expanded matrix would', () => {
    const rng = new Rng(11);
    const [m, k, n] = [37, 29, 21];
    const codebook = Float32Array.from({ length: 31 }, () => rng.normal());
    const positions: number[] = [];
    const codes: number[] = [];
    for (let p = 0; p < m * k; p++)
      if (rng.next() < 0.2) {
        positions.push(p);
        codes.push(1 + rng.int(31));
      }
    for (const transpose of [false, true]) {
      const csr = csrFromShared(Int32Array.from(positions), Uint8Array.from(codes), codebook, m, k, {
        transpose,
      });
      const [rows, cols] = [csr.rows, csr.cols];
      const dense = csrToDense(csr);
      const b = randomDense(cols * n, 12);
      const want = tfjsProduct(dense, rows, cols, b, n);
      expect(relativeError(sparseMatMulValues(csr, b, n), want)).toBeLessThan(1e-5);
      expect(relativeError(csrMatMulReference(csr, b, n), want)).toBeLessThan(1e-5);
    }
  });

  it('refuses operands of the wrong shape', () => {
    const csr: CsrMatrix = csrFromDense(new Float32Array(6), 2, 3);
    const b = tensor2d(new Float32Array(8), [4, 2]);
    expect(() => sparseMatMul(csr, b)).toThrow(/B must be \[3, n\], got \[4, 2\]/);
    expect(() =>
      sparseMatMul(csr, tensor2d(new Float32Array(6), [3, 2]), { bias: new Float32Array(3) }),
    ).toThrow(/bias has 3 values for 2 rows/);
    b.dispose();
    const good = csrFromDense(Float32Array.from([1, 0, 2, 0, 0, 3]), 2, 3);
    const bad = (patch: Partial<CsrMatrix>) => () =>
      sparseMatMulValues({ ...good, ...patch }, new Float32Array(3), 1);
    expect(bad({ rowPtr: Int32Array.from([0, 2, 2]) })).toThrow(/offsets from 0 to 3/);
    expect(bad({ rowPtr: Int32Array.from([0, 3, 2, 3]), rows: 3 })).toThrow(/falls at row 1|offsets/);
    expect(bad({ colIndex: Int32Array.from([0, 3, 2]) })).toThrow(/column 3, outside 0..2/);
    expect(bad({ entries: { kind: 'float', values: new Float32Array(2) } })).toThrow(
      /2 values for 3 entries/,
    );
    expect(
      bad({ entries: { kind: 'shared', codes: Uint8Array.from([0, 1, 2]), codebook: new Float32Array(2) } }),
    ).toThrow(/code 2, the codebook has 2 values/);
    expect(() => sparseMatMulValues(good, new Float32Array(4), 1)).toThrow(/B has 4 values, not 3 x 1/);
  });
});

describe('SparseDense', () => {
  it('gives what the Dense layer it came from gives, on the kernel and in JavaScript', () => {
    const dense = new Dense(45, 19, { rng: new Rng(3) });
    // prune about 80% of the weights
    const w = dense.weight.dataSync() as Float32Array;
    const rng = new Rng(4);
    dense.weight.assign(
      tensor2d(
        w.map((v) => (rng.next() < 0.8 ? 0 : v)),
        [45, 19],
      ),
    );
    const x = tensor2d(randomDense(13 * 45, 5), [13, 45]);
    const want = tidy(() => dense.forward(x).dataSync() as Float32Array);
    for (const javascript of [false, true]) {
      const layer = SparseDense.fromDense(dense, { javascript });
      expect(layer.usesKernel).toBe(!javascript);
      expect(layer.sparsity).toBeGreaterThan(0.7);
      const start = memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const y = layer.forward(x);
        expect(y.shape).toEqual([13, 19]);
        expect(relativeError(y.dataSync() as Float32Array, want)).toBeLessThan(1e-5);
        y.dispose();
      }
      expect(memory().numTensors).toBe(start);
      expect(() => layer.forward(tensor2d(new Float32Array(44), [1, 44]))).toThrow(/\[batch, 45\]/);
      layer.dispose();
      expect(() => layer.forward(x)).toThrow(/after dispose/);
    }
    x.dispose();
    dense.dispose();
  });
});

/** A LeNet-300-100 pruned to Han's 8% / 9% / 26% kept and shared with 5-bit codebooks (random weights). */
function compressedLenet(): { bytes: Uint8Array } {
  const model = lenet300100(new Rng(21));
  const masks = new MaskSet(model);
  masks.prune({ kind: 'sparsity', sparsity: { '1.weight': 0.92, '3.weight': 0.91, '5.weight': 0.74 } });
  const shared = new SharedWeights(masks.weights, { bits: 5 });
  const { bytes } = encodeCompressed(model.stateDict(), { metadata: { model: 'lenet-300-100' } });
  shared.dispose();
  masks.dispose();
  model.dispose();
  return { bytes };
}

describe('CompressedModel', () => {
  it('a compressed LeNet-300-100 predicts what its decoded dense twin predicts', () => {
    const { bytes } = compressedLenet();
    const twin = lenet300100(new Rng(99));
    const loaded = decodedToTensors(decodeCompressed(bytes).tensors);
    twin.loadStateDict(loaded);
    for (const t of Object.values(loaded)) t.dispose();
    const x = tensor4d(randomDense(200 * 784, 31), [200, 28, 28, 1]);
    const want = tidy(() => twin.forward(x).dataSync() as Float32Array);
    const wantClass = tidy(() => argMax(twin.forward(x), 1).dataSync() as Int32Array);
    for (const mode of ['sparse', 'auto', 'dense'] as const) {
      const model = CompressedModel.load(bytes, lenet300100(new Rng(5)), { mode });
      const runs = model.plan.map((p) => p.runs);
      if (mode === 'dense') expect(runs).not.toContain('sparse-shared');
      else expect(runs.filter((r) => r === 'sparse-shared')).toHaveLength(3);
      const start = memory().numTensors;
      const y: Tensor = model.predict(x);
      expect(relativeError(y.dataSync() as Float32Array, want)).toBeLessThan(1e-5);
      const cls = tidy(() => argMax(y, 1).dataSync() as Int32Array);
      expect(Array.from(cls)).toEqual(Array.from(wantClass));
      y.dispose();
      expect(memory().numTensors).toBe(start);
      model.dispose();
    }
    x.dispose();
    twin.dispose();
  });

  it('refuses a file that does not fit the architecture, and a corrupt file', () => {
    const { bytes } = compressedLenet();
    const before = memory().numTensors;
    expect(() => CompressedModel.load(bytes, new Sequential([]))).toThrow(CompressedModelError);
    const other = lenet300100();
    const dense = new Dense(784, 300);
    expect(() => CompressedModel.load(encodeCompressed({ '1.weight': dense.weight }).bytes, other)).toThrow(
      /no tensor '1.bias'/,
    );
    dense.dispose();
    const cut = bytes.slice(0, bytes.length - 10);
    expect(() => CompressedModel.load(cut, other)).toThrow(/ends 10 bytes early/);
    other.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe('the WASM kernel', () => {
  it('the committed module matches a fresh clang build (skipped without clang)', () => {
    const script = fileURLToPath(new URL('../../scripts/build-kernels.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
