// Test fixtures for the peer readers: .npy files as numpy writes them (format 1.0, little-endian
// float32, C order), so that tests can lay out a peer's output directory, broken or not.
import { writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { PeerOutputError } from './peer-output.js';

/** The bytes of a float32 .npy file of `shape` holding `data` (zeros when omitted). */
export function npyBytes(shape: readonly number[], data?: ArrayLike<number>): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // numpy pads the header with spaces and a newline to a multiple of 64 bytes
  header += `${' '.repeat(63 - ((10 + header.length) % 64))}\n`;
  const out = new Uint8Array(10 + header.length + 4 * size);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const values = new Float32Array(out.buffer, 10 + header.length, size);
  if (data !== undefined) values.set(Array.from(data));
  return out;
}

/** Writes a float32 .npy file of `shape` (zeros unless `data` is given) to `path`. */
export function writeNpy(path: string, shape: readonly number[], data?: ArrayLike<number>): void {
  writeFileSync(path, npyBytes(shape, data));
}

/** The PeerOutputError that `f` throws (the test fails if it throws anything else, or nothing). */
export function caughtPeerError(f: () => unknown): PeerOutputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PeerOutputError);
    return e as PeerOutputError;
  }
  throw new Error('expected a PeerOutputError');
}
