// Fixed-width bit packing of small symbols (index gaps, codebook indices), most significant bit
// first: the "after quantization" stage of Deep Compression stored as it is counted.

export function packBits(symbols: Uint8Array, bits: number): Uint8Array {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8)
    throw new RangeError(`packBits: bits must be in 1..8, got ${bits}`);
  const out = new Uint8Array(Math.ceil((symbols.length * bits) / 8));
  let pos = 0;
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    if (s >= 2 ** bits) throw new RangeError(`packBits: symbol ${i} (${s}) needs more than ${bits} bits`);
    for (let b = bits - 1; b >= 0; b--) {
      if ((s >> b) & 1) out[pos >> 3]! |= 0x80 >> (pos & 7);
      pos++;
    }
  }
  return out;
}

/** Unpacks `count` symbols; the input must be exactly ceil(count x bits / 8) bytes. */
export function unpackBits(packed: Uint8Array, count: number, bits: number): Uint8Array {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8)
    throw new RangeError(`unpackBits: bits must be in 1..8, got ${bits}`);
  const need = Math.ceil((count * bits) / 8);
  if (packed.length !== need)
    throw new RangeError(`${packed.length} bytes for ${count} symbols of ${bits} bits (need ${need})`);
  const out = new Uint8Array(count);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let b = 0; b < bits; b++) {
      s = (s << 1) | ((packed[pos >> 3]! >> (7 - (pos & 7))) & 1);
      pos++;
    }
    out[i] = s;
  }
  return out;
}
