import { afterEach, describe, expect, it, vi } from 'vitest';
import { progress } from './progress.js';

// The terminal bar itself is cli-progress's; these check the two plain modes.

describe('progress', () => {
  const isTTY = process.stderr.isTTY;
  afterEach(() => {
    vi.restoreAllMocks();
    process.stderr.isTTY = isTTY;
  });

  it('quiet: prints nothing, also on done', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const p = progress('train', 10, true);
    p.tick({ loss: '1.0' });
    p.done('finished');
    expect(write).not.toHaveBeenCalled();
  });

  it('not a terminal (CI logs): no bar, one line "label: message" when done', () => {
    process.stderr.isTTY = false;
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const p = progress('train', 3);
    p.tick({ loss: '0.5' });
    p.tick();
    expect(write).not.toHaveBeenCalled();
    p.done('3 epochs, loss 0.25');
    expect(write.mock.calls).toEqual([['train: 3 epochs, loss 0.25\n']]);
  });
});
