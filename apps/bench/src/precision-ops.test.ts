// precision-ops.ts's shape rule, worked by hand for each kind, and its refusal of other ops.
import { describe, expect, it } from 'vitest';
import { convOutputShape, type OpSpec, precisionOps } from './precision-ops.js';

describe('convOutputShape', () => {
  it('follows PyTorch: floor((d + 2p - k) / s) + 1 forward, (d - 1) s - 2p + k + outPad transposed', () => {
    const conv: OpSpec = {
      op: 'c',
      kind: 'conv',
      x: [2, 9, 8, 3],
      w: [3, 3, 3, 5],
      stride: 2,
      pad: 1,
      bias: true,
    };
    // (9 + 2 - 3) / 2 + 1 = 5; floor((8 + 2 - 3) / 2) + 1 = 4
    expect(convOutputShape(conv)).toEqual([2, 5, 4, 5]);
    const convT: OpSpec = {
      op: 't',
      kind: 'convTranspose',
      x: [1, 4, 3, 6],
      w: [5, 5, 2, 6],
      stride: 3,
      pad: 2,
      outPad: 1,
    };
    // (4 - 1) 3 - 4 + 5 + 1 = 11; (3 - 1) 3 - 4 + 5 + 1 = 8; out channels w[2]
    expect(convOutputShape(convT)).toEqual([1, 11, 8, 2]);
    expect(convOutputShape({ op: 'd', kind: 'dense', x: [7, 3], w: [3, 4], bias: false })).toEqual([7, 4]);
  });

  it('refuses an op that is not a conv or dense, naming it', () => {
    const bn = precisionOps().find((o) => o.kind === 'batchNorm')!;
    expect(() => convOutputShape(bn)).toThrow(`${bn.op}: not a conv or dense op`);
    expect(() => convOutputShape({ op: 'lr', kind: 'leakyRelu', x: [1], alpha: 0.2 })).toThrow(RangeError);
  });

  it('gives a fresh list each call (the peer gets it as JSON; nothing is shared)', () => {
    const a = precisionOps();
    (a[0] as { x: number[] }).x[0] = -1;
    expect(precisionOps()[0]).not.toEqual(a[0]);
  });
});
