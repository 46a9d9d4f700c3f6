// finetune-report.ts's own edge cases (finetune.test.ts covers the ordinary lines and tables): the
// peer's lines checked field by field, ratios where the peer scored 0, rounding, and the transfer line.
import { describe, expect, it } from 'vitest';
import {
  finetuneLine,
  finetuneTable,
  type PeerLine,
  parsePeerLines,
  transferLine,
  transferTable,
} from './finetune-report.js';
import { PeerOutputError } from './peer-output.js';

const peer: PeerLine = {
  labels_per_class: 5,
  scratch_acc: 0.5,
  probe_acc: 0,
  finetune_acc: 0.8,
  sd: { scratch: 0.1, probe: 0, finetune: 0.02 },
  taskA_acc: 0.9,
  seconds: 3,
};
const runOf = (seed: number, a: number) => ({
  seed,
  accuracy: { scratch: a, probe: a, finetune: a, gradual: a },
  steps: 10,
});

describe('parsePeerLines', () => {
  const bad = (o: object) => `${JSON.stringify(o)}\n`;

  it('refuses values out of range, wrong kinds of k, and a malformed sd, naming line and field', () => {
    const cases: [object, string][] = [
      [{ ...peer, scratch_acc: 1.5 }, 'line 1: scratch_acc: expected a finite number in [0, 1], got 1.5'],
      [{ ...peer, taskA_acc: -0.1 }, 'line 1: taskA_acc: expected a finite number in [0, 1], got -0.1'],
      [{ ...peer, labels_per_class: 2.5 }, 'line 1: labels_per_class: expected an integer >= 1, got 2.5'],
      [{ ...peer, labels_per_class: 0 }, 'line 1: labels_per_class: expected an integer >= 1, got 0'],
      [{ ...peer, labels_per_class: 'all' }, 'line 1: labels_per_class: expected an integer >= 1, got "all"'],
      [{ ...peer, seconds: -1 }, 'line 1: seconds: expected a finite number >= 0, got -1'],
      [{ ...peer, sd: [0.1] }, 'line 1: sd: expected a JSON object, got [0.1]'],
      [{ ...peer, sd: { scratch: 'x' } }, 'line 1: sd.scratch: expected a finite number >= 0, got x'],
    ];
    for (const [o, message] of cases) {
      expect(() => parsePeerLines(bad(o))).toThrow(PeerOutputError);
      expect(() => parsePeerLines(bad(o))).toThrow(`torch_finetune_peer.py: ${message}`);
    }
    expect(() => parsePeerLines('[1]\n')).toThrow('torch_finetune_peer.py: line 1 is not a JSON object');
    // 1e400 is how a JSON writer's infinity reads back
    expect(() => parsePeerLines('{"labels_per_class": 1e400}')).toThrow(/got Infinity/);
  });

  it('counts lines from the first line given, blank ones included', () => {
    const good = JSON.stringify(peer);
    expect(() => parsePeerLines(`${good}\n\n{}`, 5)).toThrow(
      'torch_finetune_peer.py: line 7: labels_per_class: expected an integer >= 1, got nothing',
    );
  });

  it('skips blank lines, keeps a "__proto__" key of sd as a key, and reads nothing from nothing', () => {
    expect(parsePeerLines('\n  \n')).toEqual([]);
    const text = `\n${JSON.stringify(peer).replace('"sd":{', '"sd":{"__proto__":0.5,')}\n\n`;
    const [line] = parsePeerLines(text);
    expect(Object.keys(line!.sd).sort()).toEqual(['__proto__', 'finetune', 'probe', 'scratch']);
    expect(Object.getOwnPropertyDescriptor(line!.sd, '__proto__')?.value).toBe(0.5);
    expect(line!.sd.toString).toBeUndefined(); // nothing inherited
  });
});

describe('finetuneLine and transferLine', () => {
  it('has no ratio where the peer scored 0, and rounds to four places', () => {
    const l = finetuneLine(5, [runOf(0, 0.123456), runOf(1, 0.2)], { seconds: 1.26, taskA: 0.987654, peer });
    expect(l.scratch_acc).toBe(0.1617); // (0.123456 + 0.2) / 2 = 0.161728
    expect(l.runs[0]!.probe).toBe(0.1235);
    expect(l.seconds).toBe(1.3);
    expect(l.taskA_acc).toBe(0.9877);
    expect(l.ratio_probe).toBeNull(); // the peer's 0
    expect(l.ratio_scratch).toBe(Number((0.1617 / 0.5).toFixed(3)));
    expect(l.sd.scratch).toBe(Number(Math.sqrt((0.123456 - 0.161728) ** 2 * 2).toFixed(4)));
  });

  it('averages the transfer variants and refuses no runs, naming n', () => {
    const t = transferLine(
      2,
      [
        { seed: 0, AnB: 0.5, 'AnB+': 0.6, BnB: 0.7, 'BnB+': 0.8 },
        { seed: 1, AnB: 0.7, 'AnB+': 0.6, BnB: 0.5, 'BnB+': 0.8 },
      ],
      { baseB: 0.75, labelsPerClass: 'all', steps: 4, seconds: 2 },
    );
    expect([t.AnB, t['AnB+'], t.BnB, t['BnB+']]).toEqual([0.6, 0.6, 0.6, 0.8]);
    expect(t.sd['AnB+']).toBe(0);
    expect(t.sd.AnB).toBe(0.1414); // sqrt(((0.5 - 0.6)^2 + (0.7 - 0.6)^2) / 1)
    expect(() => transferLine(3, [], { baseB: 0, labelsPerClass: 1, steps: 1, seconds: 0 })).toThrow(
      'finetune-transfer: no runs for n = 3',
    );
  });

  it('writes the tables with a header only when there are no lines', () => {
    expect(finetuneTable([]).trim().split('\n')).toHaveLength(2);
    expect(transferTable([]).trim().split('\n')).toHaveLength(2);
  });
});
