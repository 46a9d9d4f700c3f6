// Compressed sparse row (CSR) matrices for running pruned layers: the row pointers, the column of each
// stored entry, and its value, either float32 or shared (a one-byte index into a codebook of at most
// 256 floats, as Deep Compression's weight sharing stores it). Built from a dense row-major matrix or
// from the (position, code) entries of a compressed file, optionally transposed on the way, since a
// dense layer y = x . W runs as y^T = W^T . x^T (see csr-kernel.ts).

export type CsrValues =
  | { kind: 'float'; values: Float32Array }
  | { kind: 'shared'; codes: Uint8Array; codebook: Float32Array };

export interface CsrMatrix {
  rows: number;
  cols: number;
  /** rows + 1 offsets into colIndex: row r holds entries rowPtr[r] .. rowPtr[r + 1] - 1. */
  rowPtr: Int32Array;
  /** Column of each stored entry, ascending within a row. */
  colIndex: Int32Array;
  entries: CsrValues;
}

/** Stored entries of a CSR matrix. */
export const nnz = (a: CsrMatrix): number => a.colIndex.length;

/** Fraction of the matrix that is not stored (1 - nnz / (rows x cols)); 0 for an empty shape. */
export function csrSparsity(a: CsrMatrix): number {
  const size = a.rows * a.cols;
  return size === 0 ? 0 : 1 - nnz(a) / size;
}

function checkShape(rows: number, cols: number, length: number, where: string): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0)
    throw new RangeError(`${where}: rows and cols must be non-negative integers, got ${rows} x ${cols}`);
  if (rows * cols !== length)
    throw new RangeError(`${where}: ${length} values for a ${rows} x ${cols} matrix`);
  if (rows * cols > 2 ** 31 - 1) throw new RangeError(`${where}: ${rows} x ${cols} is too large`);
}

/**
 * CSR from entries at row-major positions of a rows x cols matrix (ascending), with `transpose` the
 * CSR of its cols x rows transpose. `pick(i)` is entry i's value index (an index into `values` or a
 * code), or -1 to drop it (a zero).
 */
function fromPositions(
  rows: number,
  cols: number,
  positions: ArrayLike<number>,
  transpose: boolean,
): { outRows: number; outCols: number; rowPtr: Int32Array; colIndex: Int32Array; order: Int32Array } {
  const outRows = transpose ? cols : rows;
  const outCols = transpose ? rows : cols;
  const n = positions.length;
  const rowPtr = new Int32Array(outRows + 1);
  const rowOf = (p: number) => (transpose ? p % cols : Math.floor(p / cols));
  const colOf = (p: number) => (transpose ? Math.floor(p / cols) : p % cols);
  for (let i = 0; i < n; i++) rowPtr[rowOf(positions[i]!) + 1]!++;
  for (let r = 0; r < outRows; r++) rowPtr[r + 1]! += rowPtr[r]!;
  const next = rowPtr.slice(0, outRows);
  const colIndex = new Int32Array(n);
  const order = new Int32Array(n); // order[k]: the entry stored at slot k
  // ascending positions give ascending columns within each output row, transposed or not
  for (let i = 0; i < n; i++) {
    const p = positions[i]!;
    const k = next[rowOf(p)]!++;
    colIndex[k] = colOf(p);
    order[k] = i;
  }
  return { outRows, outCols, rowPtr, colIndex, order };
}

export interface CsrBuildOptions {
  /** Build the CSR of the transpose (cols x rows). Default false. */
  transpose?: boolean;
}

/**
 * CSR of a dense row-major rows x cols matrix, storing every entry that is not zero (+0 or -0, which
 * add nothing to a product with finite inputs).
 */
export function csrFromDense(
  values: Float32Array,
  rows: number,
  cols: number,
  { transpose = false }: CsrBuildOptions = {},
): CsrMatrix {
  checkShape(rows, cols, values.length, 'csrFromDense');
  const positions: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) positions.push(i);
  const { outRows, outCols, rowPtr, colIndex, order } = fromPositions(rows, cols, positions, transpose);
  const stored = Float32Array.from(order, (i) => values[positions[i]!]!);
  return { rows: outRows, cols: outCols, rowPtr, colIndex, entries: { kind: 'float', values: stored } };
}

/**
 * CSR straight from shared weights: `positions` (ascending row-major) with `codes` (1-based into
 * `codebook`; 0 marks a zero, e.g. a relative-index filler, and is dropped), as the compressed
 * file's `shared` encoding stores them. The codebook is kept, not expanded.
 */
export function csrFromShared(
  positions: Int32Array,
  codes: Uint8Array,
  codebook: Float32Array,
  rows: number,
  cols: number,
  { transpose = false }: CsrBuildOptions = {},
): CsrMatrix {
  checkShape(rows, cols, rows * cols, 'csrFromShared');
  if (positions.length !== codes.length)
    throw new RangeError(`csrFromShared: ${positions.length} positions but ${codes.length} codes`);
  if (codebook.length > 256)
    throw new RangeError(`csrFromShared: a codebook holds at most 256 values, got ${codebook.length}`);
  const kept: number[] = [];
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c > codebook.length)
      throw new RangeError(
        `csrFromShared: entry ${i} has code ${c}, the codebook has ${codebook.length} values`,
      );
    const p = positions[i]!;
    if (!(p >= 0 && p < rows * cols))
      throw new RangeError(`csrFromShared: entry ${i} at position ${p} is outside ${rows} x ${cols}`);
    if (i > 0 && p <= positions[i - 1]!) throw new RangeError('csrFromShared: positions must ascend');
    if (c !== 0 && codebook[c - 1] !== 0) kept.push(i);
  }
  const keptPositions = Int32Array.from(kept, (i) => positions[i]!);
  const { outRows, outCols, rowPtr, colIndex, order } = fromPositions(rows, cols, keptPositions, transpose);
  const stored = Uint8Array.from(order, (k) => codes[kept[k]!]! - 1);
  return {
    rows: outRows,
    cols: outCols,
    rowPtr,
    colIndex,
    entries: { kind: 'shared', codes: stored, codebook: Float32Array.from(codebook) },
  };
}

/** The dense row-major values of a CSR matrix (for tests and for layers where dense wins). */
export function csrToDense(a: CsrMatrix): Float32Array {
  const out = new Float32Array(a.rows * a.cols);
  for (let r = 0; r < a.rows; r++)
    for (let p = a.rowPtr[r]!; p < a.rowPtr[r + 1]!; p++) out[r * a.cols + a.colIndex[p]!] = entryValue(a, p);
  return out;
}

/** The value of stored entry p. */
export function entryValue(a: CsrMatrix, p: number): number {
  const e = a.entries;
  return e.kind === 'float' ? e.values[p]! : e.codebook[e.codes[p]!]!;
}

/**
 * C[m, n] = A[m, k] . B[k, n] (+ bias[r] on row r, then max(0, .) with relu) in plain JavaScript, the
 * kernel's order of summation (bias first, then the entries of the row in order): the path for
 * runtimes without WASM SIMD.
 */
export function csrMatMulReference(
  a: CsrMatrix,
  b: Float32Array,
  n: number,
  bias?: Float32Array,
  relu = false,
): Float32Array {
  const c = new Float32Array(a.rows * n);
  const acc = new Float32Array(1); // float32 accumulation, as the kernel
  for (let r = 0; r < a.rows; r++)
    for (let j = 0; j < n; j++) {
      acc[0] = bias ? bias[r]! : 0;
      for (let p = a.rowPtr[r]!; p < a.rowPtr[r + 1]!; p++)
        acc[0] = acc[0]! + Math.fround(entryValue(a, p) * b[a.colIndex[p]! * n + j]!);
      c[r * n + j] = relu && !(acc[0]! > 0) ? 0 : acc[0]!;
    }
  return c;
}

/**
 * Throws a RangeError naming the first inconsistency of a CSR matrix built by hand: row pointers that
 * do not start at 0, fall or end past the entries, columns outside the matrix, values or codes of the
 * wrong length, codes past the codebook. (The kernel would otherwise read the wrong memory.)
 */
export function checkCsr(a: CsrMatrix, where = 'CsrMatrix'): void {
  const { rows, cols, rowPtr, colIndex, entries: e } = a;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0)
    throw new RangeError(`${where}: rows and cols must be non-negative integers, got ${rows} x ${cols}`);
  const n = colIndex.length;
  if (rowPtr.length !== rows + 1 || rowPtr[0] !== 0 || rowPtr[rows] !== n)
    throw new RangeError(`${where}: rowPtr must have ${rows + 1} offsets from 0 to ${n}`);
  for (let r = 0; r < rows; r++)
    if (rowPtr[r + 1]! < rowPtr[r]!) throw new RangeError(`${where}: rowPtr falls at row ${r}`);
  for (let p = 0; p < n; p++)
    if (!(colIndex[p]! >= 0 && colIndex[p]! < cols))
      throw new RangeError(`${where}: entry ${p} is in column ${colIndex[p]}, outside 0..${cols - 1}`);
  if (e.kind === 'float') {
    if (e.values.length !== n) throw new RangeError(`${where}: ${e.values.length} values for ${n} entries`);
    return;
  }
  if (e.codes.length !== n) throw new RangeError(`${where}: ${e.codes.length} codes for ${n} entries`);
  if (e.codebook.length > 256) throw new RangeError(`${where}: a codebook holds at most 256 values`);
  for (let p = 0; p < n; p++)
    if (e.codes[p]! >= e.codebook.length)
      throw new RangeError(
        `${where}: entry ${p} has code ${e.codes[p]}, the codebook has ${e.codebook.length} values`,
      );
}
