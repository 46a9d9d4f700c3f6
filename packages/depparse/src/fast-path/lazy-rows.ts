// Rows of embedding x weight-block products built in the kernel the first time a (word, position)
// pair is read, stored side by side in the order they occur. A parse reads a small part of a
// vocabulary's rows (EWT test: 34k of the 90k rows of the 5,000 most frequent words), and building or
// even touching them all was most of a cold parse: on a loaded machine a fresh 4 KB page of kernel
// memory costs ~10 us to fault in, so rows packed densely cost a third of rows at their
// p * words + id place.
import type { TableSumKernel } from './kernels/table-sum.js';

/** Rows per chunk of kernel memory (chunks are reserved as rows need them). */
const CHUNK_ROWS = 2048;

export interface LazyRowsOptions {
  /** Pairs that can have a row: keys are position * ids + id (ids: the words covered). */
  keys: number;
  /** Rows at most; past them `row` returns -1 (the caller multiplies the pair on the fly). */
  capacity: number;
  /** Floats per row. */
  width: number;
  /** Byte offset in kernel memory that row offsets are counted from (in floats); rows lie above it. */
  base: number;
  /** Words' embeddings [words, dim] and the weight blocks [positions * dim, width], in kernel memory. */
  embedding: number;
  weights: number;
  dim: number;
}

export class LazyRows {
  /** Slot + 1 of each key's row (0: none yet). */
  private readonly slots: Int32Array;
  /** Float offset (from `base`) of each chunk. */
  private readonly chunks: number[] = [];
  private used = 0;
  /** (row offset, position, id) of the rows met since the last build. */
  private pending = new Int32Array(0);
  private count = 0;
  private pendingAt = 0;
  private pendingCapacity = 0;

  constructor(
    private readonly k: TableSumKernel,
    private readonly o: LazyRowsOptions,
  ) {
    this.slots = new Int32Array(Math.max(0, o.keys));
  }

  /** Rows built or pending. */
  get size(): number {
    return this.used;
  }

  /**
   * Reserves kernel memory for `more` new rows (within the capacity) and their build list: call it
   * before taking views of kernel memory that `row` calls must not detach (growing memory does).
   */
  reserve(more: number): void {
    const want = Math.min(this.o.capacity, this.used + more);
    while (this.chunks.length * CHUNK_ROWS < want) {
      const c = this.chunks.length;
      const rows = Math.min(CHUNK_ROWS, this.o.capacity - c * CHUNK_ROWS);
      this.chunks.push((this.k.alloc(rows * this.o.width) - this.o.base) / 4);
    }
    const pending = this.count + more;
    if (pending > this.pendingCapacity) {
      this.pendingCapacity = Math.max(pending, 2 * this.pendingCapacity);
      this.pendingAt = this.k.alloc(3 * this.pendingCapacity);
      const grown = new Int32Array(3 * this.pendingCapacity);
      grown.set(this.pending.subarray(0, 3 * this.count));
      this.pending = grown;
    }
  }

  /**
   * The float offset (from `base`) of the row of `id` at `position` (key position * ids + id); a new
   * row is built by the next `build()`, before anything reads it. -1: no room left.
   */
  row(key: number, position: number, id: number): number {
    const known = this.slots[key]!;
    const w = this.o.width;
    if (known > 0) {
      const s = known - 1;
      return this.chunks[Math.floor(s / CHUNK_ROWS)]! + (s % CHUNK_ROWS) * w;
    }
    if (this.used >= this.o.capacity) return -1;
    const s = this.used++;
    this.slots[key] = s + 1;
    const c = Math.floor(s / CHUNK_ROWS);
    if (c >= this.chunks.length || this.count >= this.pendingCapacity)
      throw new Error('LazyRows: more new rows than reserved');
    const at = this.chunks[c]! + (s % CHUNK_ROWS) * w;
    this.pending[3 * this.count] = at;
    this.pending[3 * this.count + 1] = position;
    this.pending[3 * this.count++ + 2] = id;
    return at;
  }

  /** Builds the rows met since the last call (one kernel call). */
  build(): void {
    if (this.count === 0) return;
    const k = this.k;
    k.i32(this.pendingAt, 3 * this.count).set(this.pending.subarray(0, 3 * this.count));
    k.tableRows(
      this.o.weights,
      this.o.embedding,
      this.pendingAt,
      this.count,
      this.o.dim,
      this.o.width,
      this.o.base,
    );
    this.count = 0;
  }
}
