// The parity peer's line and files are hostile input: every malformed field or file gives a
// PeerOutputError naming it, never a TypeError or a silently broadcast tensor.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseParityPeer, readParityIndices, readParityMaskBits, readParityNpy } from './parity-peer.js';
import { caughtPeerError, writeNpy } from './peer-output-fixture.js';

const caught = caughtPeerError;

const losses = [
  [1.4, 0.7],
  [1.3, 0.8],
];
const line = (over: Record<string, unknown>) =>
  `${JSON.stringify({ steps: 2, width: 4, losses32: losses, losses64: losses, torch: '2.1', ...over })}\n`;

describe('parseParityPeer', () => {
  it("reads both runs' losses of a valid line", () => {
    expect(parseParityPeer(line({}), 2)).toEqual({ losses32: losses, losses64: losses });
  });

  it('names the field of each kind of malformed line', () => {
    const bad: [string, string][] = [
      ['Traceback (most recent call last):', 'parity_peer.py: its last line is not JSON'],
      ['[1.4, 0.7]', 'is not a JSON object'],
      [line({ losses32: undefined }), 'parity_peer.py: losses32: expected an array, got nothing'],
      [line({ losses64: 'x' }), 'parity_peer.py: losses64: expected an array, got "x"'],
      [line({ losses32: [losses[0]] }), 'parity_peer.py: losses32: expected 2 elements, got 1'],
      [line({ losses64: [losses[0], [1.3]] }), 'parity_peer.py: losses64[1]: expected 2 elements, got 1'],
      [line({ losses32: [losses[0], null] }), 'parity_peer.py: losses32[1]: expected an array, got null'],
      [
        line({ losses32: [losses[0], [1.3, '0.8']] }),
        'parity_peer.py: losses32[1][1]: expected a finite number, got "0.8"',
      ],
      [
        '{"losses32": [[1, 1e999], [1, 1]], "losses64": [[1, 1], [1, 1]]}',
        'losses32[0][1]: expected a finite number, got Infinity',
      ],
      ['{"losses32": [[NaN, 1], [1, 1]], "losses64": [[1, 1], [1, 1]]}', 'its last line is not JSON'],
    ];
    for (const [stdout, message] of bad)
      expect(caught(() => parseParityPeer(stdout, 2)).message).toContain(message);
  });

  it('never reads an inherited property as a field', () => {
    // a "__proto__" key in the JSON is an own property of that name, never where fields are looked up
    expect(caught(() => parseParityPeer(`{"__proto__": {"losses32": []}, "losses64": []}`, 0)).field).toBe(
      'losses32',
    );
  });
});

describe('the peer files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-parity-peer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a weight of its expected shape and names a misshapen or missing one', () => {
    writeNpy(join(dir, 'init.g.fc.weight.npy'), [6, 4], new Float32Array(24).fill(0.5));
    expect(readParityNpy(dir, 'init.g.fc.weight', [6, 4]).data[23]).toBe(0.5);
    // the same number of values in another shape would have been reshaped silently
    expect(caught(() => readParityNpy(dir, 'init.g.fc.weight', [4, 6])).message).toBe(
      'parity_peer.py: init.g.fc.weight.npy: shape [6, 4], expected [4, 6]',
    );
    expect(caught(() => readParityNpy(dir, 'final64.3.d.c1.bias', [4])).message).toMatch(
      /^parity_peer\.py: final64\.3\.d\.c1\.bias\.npy: the peer wrote no such file/,
    );
    writeFileSync(join(dir, 'z.npy'), new Uint8Array(8));
    expect(caught(() => readParityNpy(dir, 'z', [1, 2, 3])).message).toBe(
      'parity_peer.py: z.npy: not an .npy file (bad magic)',
    );
  });

  it('reads batch indices that are whole numbers below the number of images', () => {
    writeNpy(join(dir, 'idx.npy'), [2, 3], [0, 1, 2, 9, 4, 5]);
    expect(Array.from(readParityIndices(dir, 2, 3, 10).data)).toEqual([0, 1, 2, 9, 4, 5]);
    expect(caught(() => readParityIndices(dir, 2, 3, 9)).message).toBe(
      'parity_peer.py: idx.npy: value 9 at 3 is not an index of the 9 training images',
    );
    writeNpy(join(dir, 'idx.npy'), [2, 3], [0, 1, 2, 3, -1, 5]);
    expect(caught(() => readParityIndices(dir, 2, 3, 10)).message).toContain('value -1 at 4');
    writeNpy(join(dir, 'idx.npy'), [2, 3], [0, 1.5, 2, 3, 4, 5]);
    expect(caught(() => readParityIndices(dir, 2, 3, 10)).message).toContain('value 1.5 at 1');
    expect(caught(() => readParityIndices(dir, 3, 3, 10)).message).toBe(
      'parity_peer.py: idx.npy: shape [2, 3], expected [3, 3]',
    );
  });

  it("reads a step's mask bits and names a missing mask file", () => {
    writeFileSync(join(dir, 'mask.0.bin'), Uint8Array.of(1, 2));
    expect(readParityMaskBits(dir, 0)).toEqual({ file: 'mask.0.bin', bits: Buffer.from([1, 2]) });
    expect(caught(() => readParityMaskBits(dir, 1)).message).toMatch(
      /^parity_peer\.py: mask\.1\.bin: the peer wrote no such file/,
    );
  });
});
