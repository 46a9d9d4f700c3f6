// The pure parts of `pnpm bench finetune`: aggregation over seeds into the JSON line, the peer's lines,
// the tables, the step budget, the option parsers, the picks and the plot series; and a smoke run
// with a tiny budget that checks the lines' shape.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@lab/core';
import { findSharedData } from '@lab/core/testing';
import { memory } from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { budget, finetuneBench } from './finetune.js';
import { labelsListOption } from './finetune-options.js';
import { ALL_AT, accuracySeries, transferSeries } from './finetune-plot.js';
import {
  finetuneLine,
  finetuneTable,
  type PeerLine,
  parsePeerLines,
  type SeedRun,
  transferLine,
  transferTable,
} from './finetune-report.js';
import { pickPerClass } from './finetune-setup.js';

const run = (seed: number, scratch: number, probe: number, finetune: number, gradual: number): SeedRun => ({
  seed,
  accuracy: { scratch, probe, finetune, gradual },
  steps: 300,
});
const peer: PeerLine = {
  labels_per_class: 10,
  scratch_acc: 0.853,
  probe_acc: 0.778,
  finetune_acc: 0.877,
  sd: { scratch: 0.026, probe: 0.023, finetune: 0.012 },
  taskA_acc: 0.92,
  seconds: 12.5,
};

describe('finetune report', () => {
  it('averages the seeds, keeps each seed, and divides by the peer', () => {
    const line = finetuneLine(
      10,
      [run(0, 0.8, 0.7, 0.9, 0.91), run(1, 0.82, 0.72, 0.86, 0.89), run(2, 0.84, 0.74, 0.88, 0.9)],
      {
        seconds: 12.34,
        taskA: 0.91234,
        peer,
      },
    );
    expect(Object.keys(line).slice(0, 8)).toEqual([
      'workload',
      'labels_per_class',
      'scratch_acc',
      'probe_acc',
      'finetune_acc',
      'gradual_acc',
      'sd',
      'seeds',
    ]);
    expect(line).toMatchObject({
      workload: 'finetune',
      labels_per_class: 10,
      scratch_acc: 0.82,
      probe_acc: 0.72,
      finetune_acc: 0.88,
      gradual_acc: 0.9,
      seeds: 3,
      steps: 300,
      seconds: 12.3,
      taskA_acc: 0.9123,
      peer_scratch_acc: 0.853,
      peer_finetune_acc: 0.877,
      peer_taskA_acc: 0.92,
      ratio_scratch: Number((0.82 / 0.853).toFixed(3)),
      ratio_finetune: Number((0.88 / 0.877).toFixed(3)),
    });
    expect(line.sd.scratch).toBeCloseTo(0.02, 6); // sample sd of 0.80, 0.82, 0.84
    expect(line.sd.gradual).toBeCloseTo(0.01, 6);
    expect(line.runs[1]).toEqual({ seed: 1, scratch: 0.82, probe: 0.72, finetune: 0.86, gradual: 0.89 });
    // a line is one JSON object that survives a round trip
    expect(JSON.parse(JSON.stringify(line))).toEqual(line);
  });

  it('leaves the peer fields null without the peer, and the spread null for one seed', () => {
    const line = finetuneLine('all', [run(0, 0.9, 0.8, 0.95, 0.94)], { seconds: 1, taskA: 0.9 });
    expect(line.labels_per_class).toBe('all');
    expect([line.peer_scratch_acc, line.peer_sd, line.ratio_scratch, line.ratio_probe]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(line.sd.probe).toBeNull();
    expect(() => finetuneLine(1, [], { seconds: 0, taskA: 0 })).toThrow(/no runs/);
  });

  it("reads the peer's lines and refuses anything else, naming the line", () => {
    const text = `${JSON.stringify(peer)}\n${JSON.stringify({ ...peer, labels_per_class: 100 })}\n`;
    expect(parsePeerLines(text).map((l) => l.labels_per_class)).toEqual([10, 100]);
    expect(() => parsePeerLines('Traceback (most recent call last):')).toThrow(/line 1 is not JSON/);
    expect(() => parsePeerLines(`${JSON.stringify(peer)}\n{"labels_per_class": 5}`)).toThrow(
      /torch_finetune_peer.py: line 2: scratch_acc: expected a finite number in \[0, 1\], got nothing/,
    );
  });

  it('tables: percentages with the spread, a dash where there is no figure', () => {
    const a = finetuneLine(10, [run(0, 0.8, 0.7, 0.9, 0.91), run(1, 0.82, 0.72, 0.86, 0.89)], {
      seconds: 1,
      taskA: 0.9,
      peer,
    });
    const table = finetuneTable([
      a,
      finetuneLine('all', [run(0, 0.9, 0.8, 0.95, 0.94)], { seconds: 1, taskA: 0.9 }),
    ]);
    const rows = table.trim().split('\n');
    expect(rows).toHaveLength(4);
    expect(rows[2]).toBe(
      '| 10 | 81.0 (1.4) | 71.0 (1.4) | 88.0 (2.8) | 90.0 (1.4) | 85.3 (2.6) | 77.8 (2.3) | 87.7 (1.2) |',
    );
    expect(rows[3]).toBe('| all | 90.0 | 80.0 | 95.0 | 94.0 | - | - | - |');
    const t = transferLine(2, [{ seed: 0, AnB: 0.8, 'AnB+': 0.9, BnB: 0.85, 'BnB+': 0.88 }], {
      baseB: 0.89,
      labelsPerClass: 'all',
      steps: 300,
      seconds: 3,
    });
    expect(t).toMatchObject({
      workload: 'finetune-transfer',
      n: 2,
      AnB: 0.8,
      'AnB+': 0.9,
      baseB_acc: 0.89,
      seeds: 1,
    });
    expect(transferTable([t]).trim().split('\n')).toEqual([
      '| n | AnB | AnB+ | BnB | BnB+ |',
      '| --- | --- | --- | --- | --- |',
      '| 0 (baseB) | 89.0 | | | |',
      '| 2 | 80.0 | 90.0 | 85.0 | 88.0 |',
    ]);
  });

  it('plots ours solid and the peer dashed, "all" at the far right, transfer from n = 0', () => {
    const lines = [
      finetuneLine(10, [run(0, 0.8, 0.7, 0.9, 0.91)], { seconds: 1, taskA: 0.9, peer }),
      finetuneLine('all', [run(0, 0.9, 0.8, 0.95, 0.94)], { seconds: 1, taskA: 0.9 }),
    ];
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
    expect(series[0]).toMatchObject({ x: [10, ALL_AT], y: [0.8, 0.9] });
    expect(series[4]).toMatchObject({ x: [10], y: [0.853], dashed: true });
    const t = transferSeries([
      transferLine(1, [{ seed: 0, AnB: 0.8, 'AnB+': 0.9, BnB: 0.85, 'BnB+': 0.88 }], {
        baseB: 0.89,
        labelsPerClass: 'all',
        steps: 1,
        seconds: 1,
      }),
    ]);
    expect(t.find((s) => s.name === 'AnB')).toMatchObject({ x: [0, 1], y: [0.89, 0.8] });
  });
});

describe('finetune budget and options', () => {
  it('turns a step budget into whole epochs, or one partial pass over a large set', () => {
    expect(budget(5, 300)).toEqual({ batchSize: 5, epochs: 300, steps: 300, examples: 5 });
    expect(budget(50, 300)).toEqual({ batchSize: 50, epochs: 300, steps: 300, examples: 50 });
    expect(budget(500, 300)).toEqual({ batchSize: 64, epochs: 38, steps: 304, examples: 500 });
    expect(budget(30000, 300)).toEqual({ batchSize: 64, epochs: 1, steps: 300, examples: 19200 });
  });

  it('parses label lists and refuses bad ones, naming the option', () => {
    const parse = labelsListOption('--labels');
    expect(parse('1,5,10,all,5')).toEqual([1, 5, 10, 'all']);
    expect(() => parse('1,,5')).toThrow(/--labels takes a comma-separated list/);
    expect(() => parse('0')).toThrow(/--labels takes an integer in \[1, 6000\]/);
    expect(() => parse('ten')).toThrow(/--labels/);
  });

  it('picks k distinct examples of each class, fixed by the seed', () => {
    const labels = Array.from({ length: 100 }, (_, i) => i % 10);
    const a = pickPerClass(labels, 5, 10, 3, 1);
    expect(a).toHaveLength(15);
    expect(new Set(a).size).toBe(15);
    expect(a.map((i) => labels[i])).toEqual([5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9]);
    expect(pickPerClass(labels, 5, 10, 3, 1)).toEqual(a);
    expect(pickPerClass(labels, 5, 10, 3, 2)).not.toEqual(a);
    expect(pickPerClass(labels, 5, 10, 'all', 0)).toHaveLength(50);
    expect(() => pickPerClass(labels, 5, 10, 11, 0)).toThrow(/class 5 has 10 examples, fewer than 11/);
  });
});

let data: string | undefined;
try {
  data = join(findSharedData(), 'fashion-mnist');
} catch {
  data = undefined;
}
const out = mkdtempSync(join(tmpdir(), 'bench-finetune-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!data || !existsSync(data))('pnpm bench finetune, smoke run', () => {
  // without the layer transfer (its twelve scorings of 5,000 images are most of a smoke run's time on a
  // shared machine; its pure parts are tested above)
  it('prints one line per k with every field, writes the table and the plot, leaks nothing', async () => {
    await initBackend({ backend: 'wasm', threads: 1 });
    const emitted: Record<string, unknown>[] = [];
    const tensors = memory().numTensors;
    await finetuneBench({
      labels: [1],
      seeds: 1,
      firstSeed: 0,
      steps: 2,
      pretrainSteps: 2,
      peer: false,
      transfer: false,
      transferLabels: 1,
      transferSeeds: 1,
      transferSteps: 1,
      tune: false,
      out,
      quiet: true,
      emit: (l) => emitted.push(l as Record<string, unknown>),
    });
    expect(memory().numTensors).toBe(tensors);
    expect(emitted.map((l) => [l.workload, l.labels_per_class])).toEqual([['finetune', 1]]);
    const line = emitted[0]!;
    for (const f of ['scratch_acc', 'probe_acc', 'finetune_acc', 'gradual_acc'])
      expect(line[f]).toSatisfy((v: number) => v >= 0 && v <= 1);
    expect(line).toMatchObject({ seeds: 1, steps: 2, peer_scratch_acc: null });
    expect((line.runs as unknown[]).length).toBe(1);
    expect(readFileSync(join(out, 'finetune.md'), 'utf8')).toContain('| 1 |');
    expect(Array.from(readFileSync(join(out, 'finetune.png')).subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
  }, 900_000);
});
