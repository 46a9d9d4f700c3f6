// Chen & Manning's precomputation trick, used in training. The first layer's inputs from small
// vocabularies (UPOS, XPOS, labels, distance and valency buckets) enter as embedding x weight block;
// instead of multiplying the [rows, P * d] embeddings by the [P * d, H] block (48% of the first
// layer's multiply-adds with the default net), the [P * V, H] table of every product is built (a few
// MFLOP) and each row sums P table rows. The gradient scatters into the table, and autodiff carries it
// on to the embeddings and the weights: the same function, computed in fewer operations.
import { copyTensorData, tensorFromView } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { sharedTableSumKernel, type TableSumKernel } from './kernels/table-sum.js';

function kernel(h: number): TableSumKernel | null {
  return h % 4 === 0 ? sharedTableSumKernel() : null;
}

/**
 * Row sums by the kernel: the table is copied from the tensor into kernel memory (no garbage).
 * `offsets` are float offsets of table rows (row id * h), as the kernels take them.
 */
function sumRowsByKernel(
  k: TableSumKernel,
  table: tf.Tensor2D,
  offsets: Int32Array,
  rows: number,
  perRow: number,
) {
  const h = table.shape[1];
  const mark = k.alloc(0);
  try {
    const t = k.alloc(table.size);
    copyTensorData(table, k.f32(t, table.size));
    const off = k.alloc(offsets.length);
    k.i32(off, offsets.length).set(offsets);
    const bias = k.alloc(h);
    k.f32(bias, h).fill(0);
    const out = k.alloc(rows * h);
    k.run(t, off, rows, perRow, h, bias, out);
    return tensorFromView<tf.Rank.R2>(k.f32(out, rows * h), [rows, h]);
  } finally {
    k.release(mark);
  }
}

function scatterRowsByKernel(
  k: TableSumKernel,
  dy: tf.Tensor,
  offsets: Int32Array,
  perRow: number,
  tableRows: number,
) {
  const [rows, h] = dy.shape as [number, number];
  const mark = k.alloc(0);
  try {
    const d = k.alloc(dy.size);
    copyTensorData(dy, k.f32(d, dy.size));
    const off = k.alloc(offsets.length);
    k.i32(off, offsets.length).set(offsets);
    const g = k.alloc(tableRows * h);
    k.f32(g, tableRows * h).fill(0);
    k.scatter(d, off, rows, perRow, h, g);
    return tensorFromView<tf.Rank.R2>(k.f32(g, tableRows * h), [tableRows, h]);
  } finally {
    k.release(mark);
  }
}

function sumRowsInJs(table: Float32Array, offsets: Int32Array, rows: number, perRow: number, h: number) {
  const out = new Float32Array(rows * h);
  for (let r = 0; r < rows; r++)
    for (let s = 0; s < perRow; s++) {
      const from = offsets[r * perRow + s]!;
      for (let j = 0; j < h; j++) out[r * h + j]! += table[from + j]!;
    }
  return out;
}

function scatterRowsInJs(
  dy: Float32Array,
  offsets: Int32Array,
  rows: number,
  perRow: number,
  tableRows: number,
  h: number,
) {
  const grad = new Float32Array(tableRows * h);
  for (let r = 0; r < rows; r++)
    for (let s = 0; s < perRow; s++) {
      const to = offsets[r * perRow + s]!;
      for (let j = 0; j < h; j++) grad[to + j]! += dy[r * h + j]!;
    }
  return grad;
}

/**
 * out[r] = sum over s < perRow of table[rowIds[r * perRow + s]]: [rows, H], differentiable in `table`
 * (not twice). Row ids are checked against the table.
 */
export function tableRowSum(
  table: tf.Tensor2D,
  rowIds: Int32Array,
  rows: number,
  perRow: number,
): tf.Tensor2D {
  const [tableRows, h] = table.shape;
  if (rowIds.length !== rows * perRow)
    throw new RangeError(`tableRowSum: ${rowIds.length} row ids for ${rows} rows of ${perRow}`);
  // float offsets of the rows, computed once for the forward and the backward pass
  const offsets = new Int32Array(rowIds.length);
  for (let i = 0; i < rowIds.length; i++) {
    const id = rowIds[i]!;
    if (!(id >= 0 && id < tableRows))
      throw new RangeError(`tableRowSum: row id ${id} outside [0, ${tableRows})`);
    offsets[i] = id * h;
  }
  const k = kernel(h);
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = inputs[0] as tf.Tensor2D;
    return {
      value: k
        ? sumRowsByKernel(k, t, offsets, rows, perRow)
        : tf.tensor2d(sumRowsInJs(t.dataSync() as Float32Array, offsets, rows, perRow, h), [rows, h]),
      gradFunc: (dy: tf.Tensor) =>
        k
          ? scatterRowsByKernel(k, dy, offsets, perRow, tableRows)
          : tf.tensor2d(scatterRowsInJs(dy.dataSync() as Float32Array, offsets, rows, perRow, tableRows, h), [
              tableRows,
              h,
            ]),
    };
  });
  return op(table) as tf.Tensor2D;
}
