// speed.ts's own check of a workload name: only W1-W3 by their own names, never an inherited property
// (the speed bench itself is a benchmark run: not run here).
import { describe, expect, it } from 'vitest';
import { isSpeedWorkload } from './speed.js';

describe('isSpeedWorkload', () => {
  it('accepts the three speed workloads and nothing else', () => {
    for (const name of ['dcgan', 'wgangp', 'lenet300']) expect(isSpeedWorkload(name), name).toBe(true);
    for (const name of ['gan-quality', 'DCGAN', '', 'constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(isSpeedWorkload(name), name).toBe(false);
  });
});
