// The files of --combine as hostile input: which lines are read, and a missing, unreadable or
// duplicated file named in the error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BANNER } from './combine-fixture.js';
import { CombineInputError, linesOfEach, readSources, workloadLines } from './combine-input.js';

describe('the lines of a workload', () => {
  it('picks its JSON lines out of captured stdout, with their line numbers', () => {
    const text = `${BANNER}{"workload":"dcgan","x":1}\nprogress {not json}\n  {"workload":"gan-quality","y":2}  \r\n`;
    expect(workloadLines('f.out', text, 'gan-quality')).toEqual([
      { file: 'f.out', line: 7, record: { workload: 'gan-quality', y: 2 } },
    ]);
  });

  it('skips text lines and other workloads, but not a broken line of another workload', () => {
    expect(workloadLines('f', `${BANNER}[1, 2]\nwarning: {x}\n`, 'gan-quality')).toEqual([]);
    expect(() => workloadLines('f', '{"workload": "dcgan", ', 'gan-quality')).toThrow(/line 1: not JSON/);
  });

  it('refuses a JSON line that is not an object with a workload, or has a __proto__ key', () => {
    expect(() => workloadLines('f', '{"workload": ""}', 'gan-quality')).toThrow(
      /^--combine f line 1: workload: expected a workload name, got $/,
    );
    expect(() => workloadLines('f', '\n{"a": {"b": [{"__proto__": 1}]}}', 'x')).toThrow(
      /^--combine f line 2: a\.b\[0\]\.__proto__: a forbidden key/,
    );
    expect(() => workloadLines('f', '{"workload": "x"} trailing', 'x')).toThrow(CombineInputError);
  });

  it('needs a line of the workload in every file, and a file', () => {
    const ok = { file: 'a.out', text: '{"workload":"x"}' };
    expect(linesOfEach('x', [ok])).toHaveLength(1);
    expect(() => linesOfEach('x', [ok, { file: 'b.out', text: BANNER }])).toThrow(
      /^--combine b\.out: no x line/,
    );
    expect(() => linesOfEach('x', [])).toThrow(/no file to combine/);
  });
});

describe('reading the files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-combine-input-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names a missing file, a directory and a file listed twice', () => {
    expect(() => readSources([join(dir, 'none.out')])).toThrow(
      new RegExp(`^--combine ${join(dir, 'none.out')}: cannot read it: .*no such file`),
    );
    expect(() => readSources([dir])).toThrow(/cannot read it: .*a directory/);
    const f = join(dir, 'one.out');
    writeFileSync(f, 'x');
    expect(() => readSources([f, join(dir, '.', 'one.out')])).toThrow(/one\.out: listed twice/);
    expect(readSources([f])).toEqual([{ file: f, text: 'x' }]);
  });
});
