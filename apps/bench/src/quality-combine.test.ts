// --combine for the quality workloads: the line over runs printed by separate processes is the line a
// --seeds N run prints over the same runs (synthetic runs, and a real 5-seed wgan-quality line split
// into its seeds), and every hostile line is a CombineInputError naming the file, the line and the field.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BANNER, ganRun, NO_PLOT, source, stdout, wganRun } from './combine-fixture.js';
import { CombineInputError, type CombineSource } from './combine-input.js';
import {
  type GanPoint,
  type GanRun,
  ganQualityLine,
  seedCurves,
  type WganRun,
  wganQualityLine,
} from './quality-aggregate.js';
import { combinedLine, combineQuality, type QualityWorkload } from './quality-combine.js';
import { fdCurvesPng } from './quality-plot.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('--combine gives the line of one multi-seed run', () => {
  it('for gan-quality: single-seed lines in any order, with and without the peer', () => {
    const steps = [1000, 2000, 3000];
    const runs = [ganRun(0, steps), ganRun(1, steps, false), ganRun(2, steps), ganRun(3, steps)];
    // one collapsed seed and a NaN figure printed as null: both must be carried through
    runs.forEach((r, i) => {
      r.ours_spread = [0.5, 0.6, 0.05, 0.7][i]!;
      r.ours_collapsed = i === 2;
    });
    runs[3]!.checkpoints[1]!.fd = null;
    const multi = ganQualityLine(3000, runs, NO_PLOT);
    const sources = [3, 1, 0, 2].map((i) =>
      source(`gq-seed${i}.out`, stdout(ganQualityLine(3000, [runs[i]!], NO_PLOT))),
    );
    const combined = combinedLine('gan-quality', sources);
    expect(JSON.stringify(combined)).toBe(JSON.stringify(multi));
    // the aggregate really is over all four: not a copy of one seed's line
    expect(combined.seeds).toEqual([0, 1, 2, 3]);
    expect((combined.spread as { ours_fd: { n: number } }).ours_fd.n).toBe(4);
    expect((combined.spread as { peer_fd: { n: number } }).peer_fd.n).toBe(3);
    expect(combined.ours_collapses).toEqual({ collapsed: 1, of: 4 });
  });

  it('for gan-quality: a multi-seed line combined with single-seed ones', () => {
    const runs = [0, 1, 2].map((s) => ganRun(s, [10, 20]));
    const sources = [
      source('two.out', stdout(ganQualityLine(20, [runs[0]!, runs[2]!], NO_PLOT))),
      source('one.out', `${BANNER}progress on stdout\n${stdout(ganQualityLine(20, [runs[1]!], NO_PLOT))}`),
    ];
    expect(JSON.stringify(combinedLine('gan-quality', sources))).toBe(
      JSON.stringify(ganQualityLine(20, runs, NO_PLOT)),
    );
  });

  it('for wgan-quality, with its width and mean curves', () => {
    const steps = [50, 100, 150, 200];
    const runs = [wganRun(5, steps), wganRun(6, steps), wganRun(7, steps, false)];
    const multi = wganQualityLine(200, 16, runs, NO_PLOT);
    const sources = runs.map((r) =>
      source(`wq-${r.seed}.out`, stdout(wganQualityLine(200, 16, [r], NO_PLOT))),
    );
    const combined = combinedLine('wgan-quality', sources);
    expect(JSON.stringify(combined)).toBe(JSON.stringify(multi));
    expect(combined.width).toBe(16);
  });

  it('reads only its own workload from a file that holds several', () => {
    const g = ganRun(0, [10]);
    const w = wganRun(0, [10]);
    const text = [
      BANNER,
      JSON.stringify({ workload: 'gan-parity', steps: 30, ours_update_rel_err: 0.1 }),
      JSON.stringify(wganQualityLine(10, 8, [w], NO_PLOT)),
      JSON.stringify(ganQualityLine(10, [g], NO_PLOT)),
    ].join('\n');
    expect(combinedLine('gan-quality', [source('all.out', text)]).runs).toEqual([g]);
    expect(combinedLine('wgan-quality', [source('all.out', text)]).runs).toEqual([w]);
  });

  describe('on a real 5-seed wgan-quality line (2026-12-07)', () => {
    const file = join(here, 'quality-combine.fixture.out');
    const text = readFileSync(file, 'utf8');
    const original = JSON.parse(text.split('\n').find((l) => l.startsWith('{'))!) as Record<string, unknown>;
    const runs = original.runs as WganRun[];
    // the fields this older line has (it predates the *_any_checkpoint counts); plot was its file
    const compared = (line: Record<string, unknown>) =>
      Object.fromEntries(Object.keys(original).map((k) => [k, k === 'plot' ? original.plot : line[k]]));

    it('reproduces every figure of the line from the line itself', () => {
      const combined = combinedLine('wgan-quality', [source(file, text)]);
      expect(compared(combined)).toEqual(original);
      // the runs print exactly as they were printed (fields and their order)
      expect(JSON.stringify(combined.runs)).toBe(JSON.stringify(original.runs));
    });

    it('reproduces them from its five seeds printed as separate single-seed runs', () => {
      expect(runs.map((r) => r.seed)).toEqual([0, 1, 2, 3, 4]);
      const singles = runs.map((r) =>
        source(`wq-seed${r.seed}.out`, stdout(wganQualityLine(400, 32, [r], NO_PLOT))),
      );
      const combined = combinedLine('wgan-quality', singles.reverse());
      expect(compared(combined)).toEqual(original);
      expect(combined.ours_fd).toBe(93.012);
      expect(combined.peer_fd).toBe(89.47);
    });
  });
});

describe('--combine refuses hostile input, naming the file, the line and the field', () => {
  const steps = [10, 20];
  const line = (runs: GanRun[], iterations = 20) => ganQualityLine(iterations, runs, NO_PLOT);
  const fails = (
    sources: CombineSource[],
    message: RegExp | string,
    workload: QualityWorkload = 'gan-quality',
  ) => {
    let error: unknown;
    try {
      combinedLine(workload, sources);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CombineInputError);
    expect((error as Error).message).toMatch(message);
    return error as CombineInputError;
  };
  /** One seed's stdout with `edit` applied to its line's first run (as parsed JSON). */
  const edited = (edit: (run: Record<string, unknown>, line: Record<string, unknown>) => void) => {
    const l = JSON.parse(JSON.stringify(line([ganRun(0, steps)]))) as Record<string, unknown>;
    edit((l.runs as Record<string, unknown>[])[0]!, l);
    return stdout(l);
  };
  const good = source('seed1.out', stdout(line([ganRun(1, steps)])));

  it('a file with no line of the workload, or nothing at all', () => {
    fails([good, source('banner.out', BANNER)], /^--combine banner\.out: no gan-quality line/);
    fails([source('empty.out', '')], /^--combine empty\.out: no gan-quality line/);
    const wq = source('wq.out', stdout(wganQualityLine(20, 8, [wganRun(0, steps)], NO_PLOT)));
    fails([wq], /^--combine wq\.out: no gan-quality line/);
    fails([], /no file to combine/);
  });

  it('a line that is not JSON (a run cut short), or a JSON line without a workload', () => {
    const full = stdout(line([ganRun(0, steps)]));
    const cut = full.slice(0, full.length - 40);
    const e = fails([source('cut.out', cut)], /^--combine cut\.out line 5: not JSON/);
    expect([e.file, e.line, e.field]).toEqual(['cut.out', 5, undefined]);
    fails(
      [source('x.out', `${BANNER}{"runs": []}\n`)],
      /^--combine x\.out line 5: workload: expected a workload name, got nothing/,
    );
    fails([source('x.out', `{"workload": 7}`)], /line 1: workload: expected a workload name, got 7/);
  });

  it('a figure of the wrong type, a non-finite number, a missing field', () => {
    fails(
      [
        source(
          's.out',
          edited((r) => (r.ours_fd = '101.5')),
        ),
      ],
      /^--combine s\.out line 5: runs\[0\]\.ours_fd: expected a finite number or null, got 101\.5/,
    );
    // JSON has no NaN or Infinity, but 1e999 parses to Infinity
    const inf = edited((r) => (r.ours_kid = 0.123456789)).replace('0.123456789', '1e999');
    fails(
      [source('inf.out', inf)],
      /line 5: runs\[0\]\.ours_kid: expected a finite number or null, got Infinity/,
    );
    fails(
      [
        source(
          'm.out',
          edited((r) => delete r.peer_spread),
        ),
      ],
      /^--combine m\.out line 5: runs\[0\]\.peer_spread: missing/,
    );
    fails(
      [
        source(
          'b.out',
          edited((r) => (r.ours_collapsed = 'no')),
        ),
      ],
      /runs\[0\]\.ours_collapsed: expected true, false or null/,
    );
    fails(
      [
        source(
          's.out',
          edited((r) => (r.seed = -1)),
        ),
      ],
      /runs\[0\]\.seed: expected an integer >= 0, got -1/,
    );
    fails(
      [
        source(
          's.out',
          edited((r) => (r.seed = 1.5)),
        ),
      ],
      /runs\[0\]\.seed: expected an integer >= 0, got 1\.5/,
    );
    fails(
      [
        source(
          'c.out',
          edited((r) => ((r.checkpoints as GanPoint[])[1]!.fd = 'x' as never)),
        ),
      ],
      /line 5: runs\[0\]\.checkpoints\[1\]\.fd: expected a finite number or null, got x/,
    );
    fails(
      [
        source(
          'c.out',
          edited((r) => delete (r.checkpoints as Partial<GanPoint>[])[0]!.step),
        ),
      ],
      /runs\[0\]\.checkpoints\[0\]\.step: missing/,
    );
    fails(
      [
        source(
          'c.out',
          edited((r) => (r.checkpoints = (r.checkpoints as GanPoint[]).reverse())),
        ),
      ],
      /runs\[0\]\.checkpoints\[1\]\.step: steps must increase, got 10 after 20/,
    );
    fails(
      [
        source(
          'c.out',
          edited((r) => (r.checkpoints = { step: 10 })),
        ),
      ],
      /runs\[0\]\.checkpoints: expected an array/,
    );
    fails(
      [
        source(
          'c.out',
          edited((_, l) => (l.iterations = 15)),
        ),
      ],
      /line 5: runs\[0\]\.checkpoints\[1\]\.step: 20 is past the 15 iterations/,
    );
    fails(
      [
        source(
          'r.out',
          edited((_, l) => (l.runs = [])),
        ),
      ],
      /line 5: runs: no run/,
    );
    fails(
      [
        source(
          'r.out',
          edited((_, l) => (l.runs = [7])),
        ),
      ],
      /line 5: runs\[0\]: expected a JSON object, got 7/,
    );
    fails(
      [
        source(
          'r.out',
          edited((_, l) => delete l.runs),
        ),
      ],
      /line 5: runs: expected an array, got nothing/,
    );
    fails(
      [
        source(
          'i.out',
          edited((_, l) => (l.iterations = '20')),
        ),
      ],
      /line 5: iterations: expected an integer >= 1/,
    );
    fails(
      [
        source(
          'i.out',
          edited((_, l) => (l.seeds = [3])),
        ),
      ],
      /line 5: seeds: \[3\] are not its runs' seeds \[0\]/,
    );
  });

  it('a __proto__ key anywhere in the line', () => {
    const proto = edited(() => {}).replace(
      '"runs":[{"seed":0,',
      '"runs":[{"seed":0,"__proto__":{"polluted":1},',
    );
    expect(proto).toContain('__proto__');
    fails([source('p.out', proto)], /^--combine p\.out line 5: runs\[0\]\.__proto__: a forbidden key/);
    const top = `{"__proto__": {"x": 1}, "workload": "gan-quality"}`;
    fails([source('p.out', top)], /line 1: __proto__: a forbidden key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('runs of other lengths, nets or checkpoints, naming both files', () => {
    const a = source('a.out', stdout(line([ganRun(0, steps)])));
    fails(
      [a, source('b.out', stdout(line([ganRun(1, [30, 60]), ganRun(2, [30, 60])], 60)))],
      /^--combine b\.out line 5: iterations: 60, but a\.out line 5 has 20: runs of different lengths/,
    );
    fails(
      [a, source('b.out', stdout(line([ganRun(1, [5, 10, 15, 20])])))],
      /^--combine b\.out line 5: runs\[0\]\.checkpoints: steps \[5, 10, 15, 20\], but a\.out line 5 has \[10, 20\] \(another --checkpoints\)/,
    );
    const peerElsewhere = ganRun(1, steps);
    peerElsewhere.peer_checkpoints = ganRun(1, [5, 10]).checkpoints;
    fails(
      [a, source('b.out', stdout(line([peerElsewhere])))],
      /runs\[0\]\.peer_checkpoints: steps \[5, 10\], but ours are \[10, 20\]/,
    );
    const w = (width: number) => stdout(wganQualityLine(20, width, [wganRun(width, steps)], NO_PLOT));
    fails(
      [source('w8.out', w(8)), source('w16.out', w(16))],
      /^--combine w16\.out line 5: width: 16, but w8\.out line 5 has 8: runs of different nets cannot be combined/,
      'wgan-quality',
    );
  });

  it('the same seed twice, naming the seed and both places', () => {
    const again = source('again.out', `extra text\n${stdout(line([ganRun(1, steps)]))}`);
    const e = fails(
      [good, again],
      /^--combine again\.out line 6: runs\[0\]\.seed: seed 1 is also in seed1\.out line 5: each seed can be combined once/,
    );
    expect(e.field).toBe('runs[0].seed');
    fails(
      [source('two.out', stdout(line([ganRun(0, steps), ganRun(1, steps)]))), good],
      /seed1\.out line 5: runs\[0\]\.seed: seed 1 is also in two\.out line 5/,
    );
  });
});

describe('--plot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-combine-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same plot a multi-seed run writes', () => {
    const runs = [0, 1].map((s) => ganRun(s, [10, 20]));
    const files = runs.map((r) => {
      const f = join(dir, `gq-${r.seed}.out`);
      writeFileSync(f, stdout(ganQualityLine(20, [r], NO_PLOT)));
      return f;
    });
    const plot = join(dir, 'plots', 'fd.png');
    const line = combineQuality('gan-quality', { files, plot, quiet: true });
    expect(line.plot).toBe(plot);
    expect(JSON.stringify(line)).toBe(JSON.stringify(ganQualityLine(20, runs, { plot })));
    expect(new Uint8Array(readFileSync(plot))).toEqual(fdCurvesPng('gan-quality', seedCurves(runs)));
  });
});
