// What peers/parity_peer.py hands over, read as hostile input: its JSON line (both runs' losses per
// step) and the files it writes (weights, batch indices, noise, dropout mask bits). Every field and
// file is checked for type, shape and range before a tensor is built; a fault is a PeerOutputError
// naming the field or the file.
import { join } from 'node:path';
import {
  lastJsonObject,
  numberRowsField,
  PeerOutputError,
  readPeerFile,
  readPeerNpy,
} from './peer-output.js';

export const PARITY_PEER = 'parity_peer.py';

/** Both runs' [discriminator, generator] losses of each of `steps` steps, from the peer's last line. */
export function parseParityPeer(
  stdout: string,
  steps: number,
): { losses32: number[][]; losses64: number[][] } {
  const o = lastJsonObject(stdout, PARITY_PEER);
  return {
    losses32: numberRowsField(o, 'losses32', PARITY_PEER, steps, 2),
    losses64: numberRowsField(o, 'losses64', PARITY_PEER, steps, 2),
  };
}

/** The float32 array `<name>.npy` in `dir`, of exactly `shape`. */
export function readParityNpy(
  dir: string,
  name: string,
  shape: readonly number[],
): { data: Float32Array; shape: number[] } {
  return readPeerNpy(join(dir, `${name}.npy`), PARITY_PEER, shape);
}

/** The batch indices `idx.npy`: `steps` rows of `batch` whole numbers below `examples`. */
export function readParityIndices(dir: string, steps: number, batch: number, examples: number) {
  const idx = readParityNpy(dir, 'idx', [steps, batch]);
  idx.data.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= examples)
      throw new PeerOutputError(
        PARITY_PEER,
        'idx.npy',
        `value ${v} at ${i} is not an index of the ${examples} training images`,
      );
  });
  return idx;
}

/** The bytes of step `step`'s dropout mask bits, `mask.<step>.bin` (its length is checked by unpacking). */
export function readParityMaskBits(dir: string, step: number): { file: string; bits: Uint8Array } {
  const file = `mask.${step}.bin`;
  return { file, bits: readPeerFile(join(dir, file), PARITY_PEER) };
}
