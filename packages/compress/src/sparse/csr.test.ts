// CSR construction, expansion, the reference product and checkCsr on hand-written matrices
// (sparse.test.ts compares the products with tfjs on random ones).
import { describe, expect, it } from 'vitest';
import {
  type CsrMatrix,
  checkCsr,
  csrFromDense,
  csrFromShared,
  csrMatMulReference,
  csrSparsity,
  csrToDense,
  entryValue,
  nnz,
} from './csr.js';

// [[0, 1, 0],
//  [2, 0, -0],
//  [0, 0, 3]]
const A = Float32Array.from([0, 1, 0, 2, 0, -0, 0, 0, 3]);

describe('csrFromDense', () => {
  it('stores the non-zeros row by row, dropping +0 and -0', () => {
    const a = csrFromDense(A, 3, 3);
    expect([a.rows, a.cols]).toEqual([3, 3]);
    expect(Array.from(a.rowPtr)).toEqual([0, 1, 2, 3]);
    expect(Array.from(a.colIndex)).toEqual([1, 0, 2]);
    expect(a.entries).toEqual({ kind: 'float', values: Float32Array.from([1, 2, 3]) });
    expect(nnz(a)).toBe(3);
    expect(csrSparsity(a)).toBeCloseTo(6 / 9, 12);
  });

  it('builds the CSR of the transpose with ascending columns', () => {
    // a 2 x 3 matrix [[1, 0, 2], [0, 3, 4]]: its transpose is [[1, 0], [0, 3], [2, 4]]
    const t = csrFromDense(Float32Array.from([1, 0, 2, 0, 3, 4]), 2, 3, { transpose: true });
    expect([t.rows, t.cols]).toEqual([3, 2]);
    expect(Array.from(t.rowPtr)).toEqual([0, 1, 2, 4]);
    expect(Array.from(t.colIndex)).toEqual([0, 1, 0, 1]);
    expect(Array.from(csrToDense(t))).toEqual([1, 0, 0, 3, 2, 4]);
  });

  it('handles empty shapes and refuses bad ones', () => {
    const empty = csrFromDense(new Float32Array(0), 0, 4);
    expect([empty.rows, Array.from(empty.rowPtr), csrSparsity(empty)]).toEqual([0, [0], 0]);
    expect(Array.from(csrFromDense(new Float32Array(0), 3, 0).rowPtr)).toEqual([0, 0, 0, 0]);
    expect(() => csrFromDense(A, -3, -3)).toThrow(
      /csrFromDense: rows and cols must be non-negative integers, got -3 x -3/,
    );
    expect(() => csrFromDense(A, 4.5, 2)).toThrow(/non-negative integers/);
    expect(() => csrFromDense(A, 2, 4)).toThrow(/csrFromDense: 9 values for a 2 x 4 matrix/);
  });
});

describe('csrFromShared', () => {
  const codebook = Float32Array.from([0.5, 0, -1]);

  it('keeps codes 0-based into the codebook, dropping code 0 and codes of a zero value', () => {
    // positions in a 2 x 3 matrix: 0 (code 1 = 0.5), 2 (code 2 = 0: dropped), 4 (code 0: dropped), 5 (code 3 = -1)
    const a = csrFromShared(Int32Array.from([0, 2, 4, 5]), Uint8Array.from([1, 2, 0, 3]), codebook, 2, 3);
    expect(Array.from(a.rowPtr)).toEqual([0, 1, 2]);
    expect(Array.from(a.colIndex)).toEqual([0, 2]);
    expect(a.entries).toEqual({ kind: 'shared', codes: Uint8Array.from([0, 2]), codebook });
    expect(a.entries.kind === 'shared' && a.entries.codebook).not.toBe(codebook); // a copy
    expect([entryValue(a, 0), entryValue(a, 1)]).toEqual([0.5, -1]);
    const t = csrFromShared(Int32Array.from([0, 5]), Uint8Array.from([1, 3]), codebook, 2, 3, {
      transpose: true,
    });
    expect(Array.from(csrToDense(t))).toEqual([0.5, 0, 0, 0, 0, -1]);
  });

  it('refuses mismatched lengths, large codebooks, positions out of range or not ascending', () => {
    const p = Int32Array.from([1, 3]);
    expect(() => csrFromShared(p, Uint8Array.from([1]), codebook, 2, 2)).toThrow(/2 positions but 1 codes/);
    expect(() => csrFromShared(p, Uint8Array.from([1, 1]), new Float32Array(257), 2, 2)).toThrow(
      /at most 256 values, got 257/,
    );
    expect(() => csrFromShared(Int32Array.from([3, 1]), Uint8Array.from([1, 1]), codebook, 2, 2)).toThrow(
      /positions must ascend/,
    );
    expect(() => csrFromShared(Int32Array.from([1, 1]), Uint8Array.from([1, 1]), codebook, 2, 2)).toThrow(
      /positions must ascend/,
    );
    expect(() => csrFromShared(Int32Array.from([-1]), Uint8Array.from([1]), codebook, 2, 2)).toThrow(
      /entry 0 at position -1 is outside 2 x 2/,
    );
    expect(() => csrFromShared(p, Uint8Array.from([1, 1]), codebook, 2, -1)).toThrow(
      /csrFromShared: rows and cols/,
    );
  });
});

describe('csrMatMulReference', () => {
  it('multiplies, adds the bias per row first and clamps at zero with relu', () => {
    const a = csrFromDense(A, 3, 3);
    // B = [[1, 2], [3, 4], [5, 6]]: A B = [[3, 4], [2, 4], [15, 18]]
    const b = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(csrMatMulReference(a, b, 2))).toEqual([3, 4, 2, 4, 15, 18]);
    const bias = Float32Array.from([-4, 1, -20]);
    expect(Array.from(csrMatMulReference(a, b, 2, bias))).toEqual([-1, 0, 3, 5, -5, -2]);
    expect(Array.from(csrMatMulReference(a, b, 2, bias, true))).toEqual([0, 0, 3, 5, 0, 0]);
    // an empty row gives its bias only, and n = 0 gives nothing
    const e = csrFromDense(new Float32Array(3), 1, 3);
    expect(Array.from(csrMatMulReference(e, b.subarray(0, 3), 1, Float32Array.from([7])))).toEqual([7]);
    expect(csrMatMulReference(a, new Float32Array(0), 0)).toHaveLength(0);
  });

  it('accumulates in float32 as the kernel does', () => {
    // 1 + 2^-24 is 1 in float32; a float64 sum would keep 2 x 2^-24
    const a = csrFromDense(Float32Array.from([1, 1, 1]), 1, 3);
    const b = Float32Array.from([1, 2 ** -24, 2 ** -24]);
    expect(csrMatMulReference(a, b, 1)[0]).toBe(1);
  });

  it('reads shared codes through the codebook', () => {
    const a = csrFromShared(
      Int32Array.from([0, 3]),
      Uint8Array.from([2, 1]),
      Float32Array.from([2, -3]),
      2,
      2,
    );
    // [[-3, 0], [0, 2]] . [[1], [4]]
    expect(Array.from(csrMatMulReference(a, Float32Array.from([1, 4]), 1))).toEqual([-3, 8]);
  });
});

describe('checkCsr', () => {
  const good = (): CsrMatrix => csrFromDense(A, 3, 3);

  it('accepts what the builders make and names the place of the first inconsistency', () => {
    expect(() => checkCsr(good())).not.toThrow();
    const bad = (patch: Partial<CsrMatrix>) => () => checkCsr({ ...good(), ...patch }, 'layer 3');
    expect(bad({ rows: 2.5 })).toThrow(/^layer 3: rows and cols must be non-negative integers, got 2.5 x 3$/);
    expect(bad({ rowPtr: Int32Array.from([1, 1, 2, 3]) })).toThrow(
      /layer 3: rowPtr must have 4 offsets from 0 to 3/,
    );
    expect(bad({ rowPtr: Int32Array.from([0, 2, 1, 3]) })).toThrow(/layer 3: rowPtr falls at row 1/);
    expect(bad({ colIndex: Int32Array.from([1, -1, 2]) })).toThrow(/entry 1 is in column -1, outside 0..2/);
    expect(
      bad({ entries: { kind: 'shared', codes: Uint8Array.from([0, 0]), codebook: Float32Array.from([1]) } }),
    ).toThrow(/2 codes for 3 entries/);
    expect(
      bad({
        entries: { kind: 'shared', codes: Uint8Array.from([0, 0, 0]), codebook: new Float32Array(257) },
      }),
    ).toThrow(/a codebook holds at most 256 values/);
    expect(() => checkCsr({ ...good(), rows: -1 })).toThrow(/^CsrMatrix: /);
  });
});
