import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportSteps, unpackMasks } from './parity.js';
import { PeerOutputError } from './peer-output.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gan-parity helpers', () => {
  it('reports at the requested steps up to the last, and at the last', () => {
    expect(reportSteps(100, [30])).toEqual([30, 100]);
    expect(reportSteps(30, [30])).toEqual([30]);
    expect(reportSteps(10, [30])).toEqual([10]);
    expect(reportSteps(50, [40, 0, 10, 40])).toEqual([10, 40, 50]);
  });

  it("unpacks the peer's NCHW mask bits (little-endian bit order) into NHWC inverted-dropout masks", () => {
    // two masks: [1, 2, 1, 2] (bits 0-3) and [1, 1, 1, 3] (bits 4-6): 7 bits in one byte
    // first mask NCHW [[c0: 1, 0], [c1: 0, 1]] -> bits 1,0,0,1; second [1, 1, 0] -> bits 1,1,0
    const byte = 0b0011_1001;
    const [a, b] = unpackMasks(
      Uint8Array.of(byte),
      [
        [1, 2, 1, 2],
        [1, 1, 1, 3],
      ],
      0.5,
      'mask.0.bin',
    );
    expect(a!.shape).toEqual([1, 1, 2, 2]);
    // NHWC: position (0, w=0): channels (c0 = 1, c1 = 0); (0, w=1): (0, 1); kept values are 1 / 0.5
    expect(Array.from(a!.dataSync())).toEqual([2, 0, 0, 2]);
    expect(b!.shape).toEqual([1, 1, 3, 1]);
    expect(Array.from(b!.dataSync())).toEqual([2, 2, 0]);
    tf.dispose([a!, b!]);
  });

  it('rejects a mask file of the wrong length, naming it', () => {
    const unpack = () => unpackMasks(new Uint8Array(2), [[1, 1, 1, 8]], 0.3, 'mask.7.bin');
    expect(unpack).toThrow(PeerOutputError);
    expect(unpack).toThrow('parity_peer.py: mask.7.bin: 2 bytes, expected 1 for 8 mask bits');
  });
});
