// Relative-index sparse storage (Deep Compression, section 4 and figure 2): the position of each
// non-zero weight is stored as the gap (zeros skipped) since the previous stored entry, in `bits`
// bits. A gap larger than 2^bits - 1 is bridged by a filler entry with value zero at the largest
// gap, as often as needed.

export interface RelativeIndices {
  /** Gap before each stored entry, each < 2^bits. */
  gaps: Uint8Array;
  /** For each stored entry the position in the dense tensor it fills, or -1 for a filler zero. */
  sources: Int32Array;
  fillers: number;
}

/** Encodes the ascending positions of the non-zero entries of a tensor. */
export function encodeRelativeIndices(positions: ArrayLike<number>, bits: number): RelativeIndices {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8)
    throw new RangeError(`encodeRelativeIndices: bits must be an integer in 1..8, got ${bits}`);
  const maxGap = 2 ** bits - 1;
  const gaps: number[] = [];
  const sources: number[] = [];
  let fillers = 0;
  let next = 0; // the first position the next entry may take
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i]!;
    if (!Number.isInteger(p) || p < next)
      throw new RangeError('encodeRelativeIndices: positions must ascend');
    while (p - next > maxGap) {
      gaps.push(maxGap);
      sources.push(-1);
      fillers++;
      next += maxGap + 1;
    }
    gaps.push(p - next);
    sources.push(p);
    next = p + 1;
  }
  return { gaps: Uint8Array.from(gaps), sources: Int32Array.from(sources), fillers };
}

/** Positions of the stored entries (fillers included) from the gaps; throws past `size`. */
export function decodeRelativeIndices(gaps: Uint8Array, bits: number, size: number): Int32Array {
  const maxGap = 2 ** bits - 1;
  const out = new Int32Array(gaps.length);
  let next = 0;
  for (let i = 0; i < gaps.length; i++) {
    const g = gaps[i]!;
    if (g > maxGap) throw new RangeError(`gap ${i} is ${g}, above the ${bits}-bit maximum ${maxGap}`);
    const p = next + g;
    if (p >= size)
      throw new RangeError(`entry ${i} lands at position ${p}, past the tensor's ${size} elements`);
    out[i] = p;
    next = p + 1;
  }
  return out;
}
