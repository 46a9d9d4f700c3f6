// finetune-plot.ts's own cases: peer series only where the peer ran, no transfer plot without lines,
// and the PNG files by name (finetune.test.ts covers the ordinary series).
import { describe, expect, it } from 'vitest';
import { ALL_AT, accuracySeries, finetunePlots, transferSeries } from './finetune-plot.js';
import { type FinetuneLine, finetuneLine, transferLine } from './finetune-report.js';

const run = (seed: number, a: number) => ({
  seed,
  accuracy: { scratch: a, probe: a + 0.01, finetune: a + 0.02, gradual: a + 0.03 },
  steps: 1,
});
const peer = {
  labels_per_class: 5,
  scratch_acc: 0.4,
  probe_acc: 0.5,
  finetune_acc: 0.6,
  sd: {},
  taskA_acc: 0.9,
  seconds: 1,
};
const lines: FinetuneLine[] = [
  finetuneLine(5, [run(0, 0.5)], { seconds: 1, taskA: 0.9, peer }),
  finetuneLine('all', [run(0, 0.8)], { seconds: 1, taskA: 0.9 }),
];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('finetune plots', () => {
  it("draws a peer series only over the ks the peer ran, with 'all' at ALL_AT", () => {
    const series = accuracySeries(lines);
    expect(series.map((s) => s.name)).toEqual([
      'scratch',
      'probe',
      'finetune',
      'gradual',
      'torch scratch',
      'torch probe',
      'torch finetune',
    ]);
    expect(series[3]).toMatchObject({ x: [5, ALL_AT], y: [0.53, 0.83] });
    expect(series[6]).toMatchObject({ x: [5], y: [0.6], dashed: true });
    // without the peer anywhere: ours only
    expect(accuracySeries([lines[1]!]).map((s) => s.name)).toEqual([
      'scratch',
      'probe',
      'finetune',
      'gradual',
    ]);
  });

  it('has no transfer series without lines', () => {
    expect(transferSeries([])).toEqual([]);
  });

  it('writes finetune.png, and finetune-transfer.png only when the transfer ran; nothing for nothing', () => {
    expect(finetunePlots([], [])).toEqual({});
    const one = finetunePlots(lines, []);
    expect(Object.keys(one)).toEqual(['finetune.png']);
    expect([...one['finetune.png']!.subarray(0, 8)]).toEqual(PNG);
    const t = transferLine(1, [{ seed: 0, AnB: 0.5, 'AnB+': 0.6, BnB: 0.7, 'BnB+': 0.8 }], {
      baseB: 0.7,
      labelsPerClass: 'all',
      steps: 1,
      seconds: 1,
    });
    const both = finetunePlots([], [t]);
    expect(Object.keys(both)).toEqual(['finetune-transfer.png']);
    expect([...both['finetune-transfer.png']!.subarray(0, 8)]).toEqual(PNG);
  });
});
