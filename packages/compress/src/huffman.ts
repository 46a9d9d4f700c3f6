// Canonical Huffman coding of byte streams (Deep Compression's last stage: the quantised weight
// indices and sparse-index gaps are bytes with very skewed frequencies).
//
// Format: "LHUF" | u32 symbol count | 256 code lengths (u8) | bitstream, most significant bit first.

const MAGIC = [0x4c, 0x48, 0x55, 0x46]; // LHUF
const HEADER = 4 + 4 + 256;

/** Huffman code lengths for byte frequencies (0 for absent symbols; a lone symbol gets length 1). */
export function huffmanCodeLengths(freq: ArrayLike<number>): Uint8Array {
  const lengths = new Uint8Array(256);
  type Node = { w: number; sym: number; left?: Node; right?: Node };
  let nodes: Node[] = [];
  for (let s = 0; s < 256; s++) if ((freq[s] ?? 0) > 0) nodes.push({ w: freq[s]!, sym: s });
  if (nodes.length === 0) return lengths;
  if (nodes.length === 1) {
    lengths[nodes[0]!.sym] = 1;
    return lengths;
  }
  // at most 256 leaves: a sorted array is simpler than a heap and fast enough
  while (nodes.length > 1) {
    nodes.sort((a, b) => a.w - b.w || a.sym - b.sym);
    const [a, b] = nodes as [Node, Node];
    nodes = [{ w: a.w + b.w, sym: Math.min(a.sym, b.sym), left: a, right: b }, ...nodes.slice(2)];
  }
  const walk = (n: Node, depth: number) => {
    if (!n.left) {
      if (depth > 255) throw new RangeError('Huffman code longer than 255 bits');
      lengths[n.sym] = depth;
      return;
    }
    walk(n.left, depth + 1);
    walk(n.right!, depth + 1);
  };
  walk(nodes[0]!, 0);
  return lengths;
}

interface Canonical {
  order: number[];
  count: number[];
  first: number[];
  firstIndex: number[];
  codes: number[];
}
function canonical(lengths: Uint8Array): Canonical {
  const order = Array.from({ length: 256 }, (_, s) => s)
    .filter((s) => lengths[s]! > 0)
    .sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const maxLen = order.length ? lengths[order[order.length - 1]!]! : 0;
  const count = new Array<number>(maxLen + 1).fill(0);
  for (const s of order) count[lengths[s]!]!++;
  const first = new Array<number>(maxLen + 1).fill(0);
  const firstIndex = new Array<number>(maxLen + 1).fill(0);
  const codes = new Array<number>(256).fill(0);
  let code = 0;
  let index = 0;
  for (let len = 1; len <= maxLen; len++) {
    code *= 2;
    first[len] = code;
    firstIndex[len] = index;
    code += count[len]!;
    index += count[len]!;
  }
  const next = first.slice();
  for (const s of order) codes[s] = next[lengths[s]!]!++;
  return { order, count, first, firstIndex, codes };
}

/** Encodes bytes; the output carries its own code table. */
export function huffmanEncode(data: Uint8Array): Uint8Array {
  const freq = new Array<number>(256).fill(0);
  for (const b of data) freq[b]!++;
  const lengths = huffmanCodeLengths(freq);
  const { codes } = canonical(lengths);
  let bits = 0;
  for (let s = 0; s < 256; s++) bits += freq[s]! * lengths[s]!;
  const out = new Uint8Array(HEADER + Math.ceil(bits / 8));
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, data.length, true);
  out.set(lengths, 8);
  let pos = HEADER * 8;
  for (const b of data) {
    const len = lengths[b]!;
    const code = codes[b]!;
    for (let i = len - 1; i >= 0; i--) {
      if (Math.floor(code / 2 ** i) % 2) out[pos >> 3]! |= 0x80 >> (pos & 7);
      pos++;
    }
  }
  return out;
}

/** Decodes the output of huffmanEncode; corrupt or truncated input throws a RangeError. */
export function huffmanDecode(encoded: Uint8Array): Uint8Array {
  if (encoded.length < HEADER || MAGIC.some((m, i) => encoded[i] !== m)) {
    throw new RangeError('huffmanDecode: not a Huffman stream (bad magic or shorter than its header)');
  }
  const n = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength).getUint32(4, true);
  const lengths = encoded.subarray(8, HEADER);
  const { order, count, first, firstIndex } = canonical(lengths);
  if (n > 0 && order.length === 0)
    throw new RangeError('huffmanDecode: empty code table for a non-empty stream');
  const out = new Uint8Array(n);
  const totalBits = encoded.length * 8;
  let pos = HEADER * 8;
  for (let k = 0; k < n; k++) {
    let code = 0;
    let len = 0;
    for (;;) {
      if (pos >= totalBits)
        throw new RangeError(`huffmanDecode: stream truncated after ${k} of ${n} symbols`);
      code = code * 2 + ((encoded[pos >> 3]! >> (7 - (pos & 7))) & 1);
      pos++;
      len++;
      if (len >= count.length) throw new RangeError('huffmanDecode: invalid code in stream');
      const offset = code - first[len]!;
      if (offset < count[len]!) {
        out[k] = order[firstIndex[len]! + offset]!;
        break;
      }
    }
  }
  return out;
}
