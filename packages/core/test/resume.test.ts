// Issue 4, part 6: a training process killed mid-run and resumed from its checkpoint ends with
// weights identical to an uninterrupted run with the same seed (plain node, built package).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const child = join(import.meta.dirname, 'fixtures', 'train-child.mjs');
const dir = mkdtempSync(join(tmpdir(), 'lab-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(process.execPath, [child, ...args], { encoding: 'utf8' });

describe('kill and resume', () => {
  it('a run killed at step 13 and resumed from its step-10 checkpoint matches an uninterrupted run', () => {
    const full = run(join(dir, 'a.ckpt'), join(dir, 'a.json'));
    expect(full.status, full.stderr).toBe(0);

    const killed = run(join(dir, 'b.ckpt'), join(dir, 'b.json'), '13');
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'b.json'))).toBe(false);
    expect(existsSync(join(dir, 'b.ckpt'))).toBe(true);

    const resumed = run(join(dir, 'b.ckpt'), join(dir, 'b.json'));
    expect(resumed.status, resumed.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'));
    expect(b.startStep).toBe(10);
    expect(b.result.stepsDone).toBe(20);
    expect(b.weights).toEqual(a.weights);
  });
});
