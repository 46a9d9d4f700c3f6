// Reader for NumPy .npy files (format 1.0-3.0, little-endian float32/float64, C order): the format in
// which the PyTorch peer exports samples for our evaluator. The header is parsed as the strict subset of
// a Python dict literal that numpy writes, with numpy's own size limit, and the data must be exactly as
// long as the shape says.

/** numpy's default limit on the header (np.load's max_header_size): longer ones are refused. */
export const MAX_NPY_HEADER_BYTES = 10_000;

export type NpyErrorCode =
  | 'BadMagic'
  | 'UnsupportedVersion'
  | 'HeaderTooLarge'
  | 'Truncated'
  | 'InvalidHeader'
  | 'UnsupportedDtype'
  | 'FortranOrder'
  | 'InvalidShape'
  | 'TrailingData'
  | 'NonFinite';

export class NpyError extends Error {
  constructor(
    readonly code: NpyErrorCode,
    readonly detail: string,
    /** The file, when known. */
    readonly source?: string,
  ) {
    super(`${source ?? '.npy'}: ${detail}`);
    this.name = 'NpyError';
  }
}

export interface NpyOptions {
  /** The file's name for error messages. */
  source?: string;
  /** Accept NaN and infinite values (default false: samples and weights never hold them). */
  allowNonFinite?: boolean;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const WIDTHS = new Map([
  ['<f4', 4],
  ['<f8', 8],
]);

type HeaderValue = string | boolean | number[];

/** Parses numpy's header text: `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`. */
function parseHeaderDict(text: string, fail: (detail: string) => never): Map<string, HeaderValue> {
  let i = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const expect = (c: string) => {
    space();
    if (text[i] !== c) fail(`expected '${c}' at header position ${i}`);
    i++;
  };
  const quoted = (): string => {
    space();
    const q = text[i];
    if (q !== "'" && q !== '"') fail(`expected a quoted string at header position ${i}`);
    const end = text.indexOf(q!, i + 1);
    if (end < 0) fail('unterminated string in the header');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const value = (): HeaderValue => {
    space();
    if (text[i] === "'" || text[i] === '"') return quoted();
    if (text.startsWith('True', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('False', i)) {
      i += 5;
      return false;
    }
    if (text[i] === '(') {
      i++;
      const dims: number[] = [];
      for (;;) {
        space();
        if (text[i] === ')') break;
        const m = /^\d+/.exec(text.slice(i));
        if (!m) fail(`expected a size at header position ${i}`);
        dims.push(Number(m[0]));
        i += m[0].length;
        space();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') fail(`expected ',' or ')' at header position ${i}`);
      }
      i++;
      return dims;
    }
    return fail(`unexpected value at header position ${i}`);
  };
  const out = new Map<string, HeaderValue>();
  expect('{');
  for (;;) {
    space();
    if (text[i] === '}') break;
    const key = quoted();
    if (out.has(key)) fail(`key '${key}' appears twice`);
    expect(':');
    out.set(key, value());
    space();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail(`expected ',' or '}' at header position ${i}`);
  }
  i++;
  space();
  if (i !== text.length) fail(`unexpected text after the header dict at position ${i}`);
  return out;
}

export function parseNpy(buf: Uint8Array, options: NpyOptions = {}): { data: Float32Array; shape: number[] } {
  const fail =
    (code: NpyErrorCode) =>
    (detail: string): never => {
      throw new NpyError(code, detail, options.source);
    };
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b)) fail('BadMagic')('not an .npy file (bad magic)');
  const major = buf[6]!;
  if (major < 1 || major > 3 || buf[7] !== 0)
    fail('UnsupportedVersion')(`format version ${major}.${buf[7]} (1.0, 2.0 and 3.0 are read)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const start = major === 1 ? 10 : 12;
  if (buf.length < start) fail('Truncated')('truncated .npy header length');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLen > MAX_NPY_HEADER_BYTES)
    fail('HeaderTooLarge')(`header of ${headerLen} bytes exceeds ${MAX_NPY_HEADER_BYTES}`);
  if (start + headerLen > buf.length)
    fail('Truncated')(`header of ${headerLen} bytes runs past the ${buf.length}-byte file`);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(
      buf.subarray(start, start + headerLen),
    );
  } catch {
    return fail('InvalidHeader')('header is not valid UTF-8');
  }
  const header = parseHeaderDict(text, fail('InvalidHeader'));
  const keys = [...header.keys()].sort().join();
  if (keys !== 'descr,fortran_order,shape')
    fail('InvalidHeader')(`header keys [${keys}], expected descr, fortran_order and shape`);
  const descr = header.get('descr');
  const width = typeof descr === 'string' ? WIDTHS.get(descr) : undefined;
  if (!width)
    fail('UnsupportedDtype')(
      `dtype ${String(descr)} is not supported (use little-endian float32 or float64)`,
    );
  const fortran = header.get('fortran_order');
  if (typeof fortran !== 'boolean') fail('InvalidHeader')('fortran_order is not True or False');
  if (fortran) fail('FortranOrder')('Fortran order is not supported; save a C-ordered array');
  const shape = header.get('shape');
  if (!Array.isArray(shape)) fail('InvalidShape')('shape is not a tuple');
  const dims = shape as number[];
  // a count past 2**53 is no safe integer however it rounds, so an overflow cannot pass for a size
  const count = dims.includes(0) ? 0 : dims.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const bytes = count * width!;
  if (!dims.every(Number.isSafeInteger) || !Number.isSafeInteger(bytes))
    fail('InvalidShape')(`shape (${dims.join(', ')}) is too large`);
  if (buf.length - offset < bytes)
    fail('Truncated')(
      `data is truncated: ${buf.length - offset} bytes for ${count} values of ${width} bytes`,
    );
  if (buf.length - offset > bytes)
    fail('TrailingData')(`${buf.length - offset - bytes} bytes after the ${count} values of the shape`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    data[i] = width === 4 ? view.getFloat32(offset + 4 * i, true) : view.getFloat64(offset + 8 * i, true);
    // checked after the narrowing, which turns float64 values past float32's range into infinities
    if (!options.allowNonFinite && !Number.isFinite(data[i]!))
      fail('NonFinite')(`value ${i} is ${data[i]} as float32: NaN and infinities are refused`);
  }
  return { data, shape: dims };
}
