// torch_peer.py's "median=" figure: a positive number of milliseconds, or an error naming the script.
import { describe, expect, it } from 'vitest';
import { PeerOutputError } from './peer-output.js';
import { parsePeerMedianMs } from './speed-peer.js';

describe('parsePeerMedianMs', () => {
  it('reads the median of the line the peer prints', () => {
    expect(parsePeerMedianMs('torch 2.1.0 dcgan threads=1 ms/iter median=123.4 min=120.0\n')).toBe(123.4);
    expect(parsePeerMedianMs('warming up\nmedian=7 min=6')).toBe(7);
  });

  it('refuses output without a median, or with one that is not a positive number', () => {
    expect(() => parsePeerMedianMs('Traceback (most recent call last)')).toThrow(PeerOutputError);
    expect(() => parsePeerMedianMs('Traceback (most recent call last)')).toThrow(
      'torch_peer.py: median=: missing from its output: Traceback',
    );
    for (const v of ['nan', 'inf', '0', '0.0', '-3', '1.2.3', '', '1e400'])
      expect(() => parsePeerMedianMs(`ms/iter median=${v} min=1`), v).toThrow(
        `torch_peer.py: median=: expected a positive number of milliseconds, got '${v}'`,
      );
    // "premedian=" is not the field
    expect(() => parsePeerMedianMs('premedian=5')).toThrow(/missing/);
  });
});
