// quality_peer.py's last line is checked before any figure is taken from it.
import { describe, expect, it } from 'vitest';
import { PeerOutputError } from './peer-output.js';
import { parseQualityPeer } from './quality-peer.js';

const result = {
  mode: 'wgan',
  samples: '/w/samples.npy',
  checkpoints: { '4': '/w/s4.npy', '2': '/w/s2.npy' },
  w_estimate: [0.5, 0.4, 0.3, 0.2],
  ms_per_iter: 12.5,
  checkpoint_seconds: 0.25,
};
const out = (o: unknown) => `progress line\n${JSON.stringify(o)}\n`;

describe('parseQualityPeer', () => {
  it('reads the result, checkpoints in step order', () => {
    expect(parseQualityPeer(out(result), 4)).toEqual({
      samples: '/w/samples.npy',
      checkpoints: [
        { step: 2, file: '/w/s2.npy' },
        { step: 4, file: '/w/s4.npy' },
      ],
      w_estimate: [0.5, 0.4, 0.3, 0.2],
      ms_per_iter: 12.5,
      checkpoint_seconds: 0.25,
    });
    // gan mode: no checkpoints, no W estimates, no checkpoint time
    const gan = { samples: 's.npy', checkpoints: {}, w_estimate: [], ms_per_iter: 3 };
    expect(parseQualityPeer(out(gan), 10)).toEqual({ ...gan, checkpoints: [] });
  });

  it("reads a gan run's checkpoints without W estimates, still checking their steps", () => {
    const gan = {
      samples: 's.npy',
      checkpoints: { '10': 'c10.npy', '5': 'c5.npy' },
      w_estimate: [],
      ms_per_iter: 3,
      checkpoint_seconds: 1.5,
    };
    expect(parseQualityPeer(out(gan), 10, 'gan').checkpoints).toEqual([
      { step: 5, file: 'c5.npy' },
      { step: 10, file: 'c10.npy' },
    ]);
    // a wgan run with the same output lacks the W estimates
    expect(() => parseQualityPeer(out(gan), 10)).toThrow(
      'checkpoints.5: a checkpoint after step 5 but only 0 W',
    );
    expect(() => parseQualityPeer(out(gan), 9, 'gan')).toThrow('checkpoints.10: not a step in [1, 9]');
  });

  it('refuses missing, mistyped and out-of-range fields, naming the script and the field', () => {
    const cases: [unknown, string][] = [
      [
        { ...result, samples: undefined },
        'quality_peer.py: samples: expected a non-empty string, got nothing',
      ],
      [{ ...result, samples: 3 }, 'quality_peer.py: samples: expected a non-empty string, got 3'],
      [{ ...result, ms_per_iter: -1 }, 'quality_peer.py: ms_per_iter: expected a finite number >= 0, got -1'],
      [
        { ...result, ms_per_iter: '12' },
        'quality_peer.py: ms_per_iter: expected a finite number >= 0, got "12"',
      ],
      [
        { ...result, checkpoint_seconds: -2 },
        'quality_peer.py: checkpoint_seconds: expected a finite number >= 0',
      ],
      [
        { ...result, w_estimate: [1, null] },
        'quality_peer.py: w_estimate[1]: expected a finite number, got null',
      ],
      [{ ...result, checkpoints: [] }, 'quality_peer.py: checkpoints: expected a JSON object, got []'],
      [{ ...result, checkpoints: { '5': 'a.npy' } }, 'quality_peer.py: checkpoints.5: not a step in [1, 4]'],
      [{ ...result, checkpoints: { '0': 'a.npy' } }, 'quality_peer.py: checkpoints.0: not a step in [1, 4]'],
      [
        { ...result, checkpoints: { '2.5': 'a.npy' } },
        'quality_peer.py: checkpoints.2.5: not a step in [1, 4]',
      ],
      [
        { ...result, checkpoints: { constructor: 'a.npy' } },
        'quality_peer.py: checkpoints.constructor: not a step',
      ],
      [
        { ...result, checkpoints: { '2': 7 } },
        'quality_peer.py: checkpoints.2: expected the name of a .npy file',
      ],
      [
        { ...result, w_estimate: [1] },
        'quality_peer.py: checkpoints.2: a checkpoint after step 2 but only 1 W estimates',
      ],
    ];
    for (const [o, message] of cases) {
      expect(() => parseQualityPeer(out(o), 4)).toThrow(PeerOutputError);
      expect(() => parseQualityPeer(out(o), 4)).toThrow(message);
    }
  });

  it('refuses output whose last line is not a JSON object', () => {
    expect(() => parseQualityPeer('', 4)).toThrow('quality_peer.py: printed nothing');
    expect(() => parseQualityPeer(`${JSON.stringify(result)}\nKilled`, 4)).toThrow(
      'quality_peer.py: its last line is not JSON: Killed',
    );
  });
});
