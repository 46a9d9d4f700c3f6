// Reader for NumPy .npy files (format 1.0-3.0, little-endian float32/float64, C order): the format in
// which the PyTorch peer exports samples for our evaluator.
export function parseNpy(buf: Uint8Array): { data: Float32Array; shape: number[] } {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (buf.length < 10 || magic.some((b, i) => buf[i] !== b)) throw new Error('not an .npy file (bad magic)');
  const major = buf[6]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > buf.length) throw new Error('truncated .npy header');
  const header = new TextDecoder().decode(buf.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`unreadable .npy header: ${header}`);
  if (fortran === 'True') throw new Error('.npy in Fortran order is not supported; save a C-ordered array');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number.parseInt(s, 10));
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const width = descr === '<f4' ? 4 : descr === '<f8' ? 8 : 0;
  if (!width) throw new Error(`.npy dtype ${descr} is not supported (use little-endian float32 or float64)`);
  if (buf.length - offset < count * width)
    throw new Error(
      `.npy data is truncated: ${buf.length - offset} bytes for ${count} values of ${width} bytes`,
    );
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++)
    data[i] = width === 4 ? view.getFloat32(offset + 4 * i, true) : view.getFloat64(offset + 8 * i, true);
  return { data, shape };
}
