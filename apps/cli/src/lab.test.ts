// The built `lab` command itself (each run a process, so few of them): its one-line `lab: ...` answer
// and exit 1 for an error thrown by a command, and the option readers it wraps for `lab parse` (positiveInt,
// positiveNumber, invalidArgument), each refusal naming the option.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const built = fileURLToPath(new URL('../dist/lab.js', import.meta.url));
const lab = (...args: string[]) => spawnSync(process.execPath, [built, ...args], { encoding: 'utf8' });

describe.skipIf(!existsSync(built))('the lab command', () => {
  it('answers an error thrown by a command with one line, lab: and the message, and exit 1', () => {
    const missing = join(tmpdir(), 'lab-no-such-input.conllu');
    const r = lab('parse', 'run', missing);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`lab: ${missing}: no such file\n`);
  });

  it.each([
    [
      ['parse', 'train', '--epochs', '0'],
      "option '--epochs <n>' argument '0' is invalid. --epochs must be an integer in [1,",
    ],
    [
      ['parse', 'train', '--lr', '-1'],
      "option '--lr <x>' argument '-1' is invalid. --lr must be a number in (0, inf)",
    ],
    [
      ['parse', 'run', '--beam', '0', 'x'],
      "option '--beam <n>' argument '0' is invalid. --beam must be an integer in [1, 64]",
    ],
  ])('refuses %j before reading anything, naming the option', (args, message) => {
    const r = lab(...args);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });
});
