import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { integer, integerList, LIMITS, number, numberList, parseInteger, parseNumber } from './options.js';

/** The message of the InvalidArgumentError a parser throws, or its value. */
function result<T>(parse: () => T): T | string {
  try {
    return parse();
  } catch (e) {
    if (e instanceof InvalidArgumentError) return e.message;
    throw e;
  }
}

describe('numeric options', () => {
  it('reads integers written as decimals, with a sign or an exponent', () => {
    const seed = integer('--seed', LIMITS.seed);
    expect(seed('0')).toBe(0);
    expect(seed('42')).toBe(42);
    expect(seed('+7')).toBe(7);
    expect(seed('1e9')).toBe(1_000_000_000);
    expect(seed('4294967295')).toBe(2 ** 32 - 1);
    expect(seed(' 12 ')).toBe(12);
    expect(seed('3.0')).toBe(3);
  });

  it('refuses what is not an integer in range, naming the option and the range', () => {
    const seed = integer('--seed', LIMITS.seed);
    for (const text of [
      'abc',
      '',
      ' ',
      '1.5',
      '-1',
      '4294967296',
      '0x10',
      '1_000',
      'Infinity',
      'NaN',
      '1e400',
      '12abc',
      '--1',
      '1e',
      '.',
    ])
      expect(result(() => seed(text))).toBe(`--seed must be an integer in [0, 4294967295], got '${text}'`);
    expect(result(() => integer('--width', LIMITS.width)('0'))).toBe(
      "--width must be an integer in [1, 1024], got '0'",
    );
    expect(result(() => parseInteger('--n', '9007199254740993'))).toMatch(/^--n must be an integer/);
  });

  it('reads numbers and honours exclusive bounds', () => {
    const lr = number('--lr', { min: 0, minExclusive: true, max: 1 });
    expect(lr('1e-3')).toBe(0.001);
    expect(lr('.5')).toBe(0.5);
    expect(lr('1')).toBe(1);
    expect(result(() => lr('0'))).toBe("--lr must be a number in (0, 1], got '0'");
    expect(result(() => lr('1.0001'))).toBe("--lr must be a number in (0, 1], got '1.0001'");
    expect(result(() => lr('-0.1'))).toMatch(/^--lr must be a number in \(0, 1\]/);
    expect(result(() => number('--decay', { min: 0, max: 1, maxExclusive: true })('1'))).toBe(
      "--decay must be a number in [0, 1), got '1'",
    );
    expect(result(() => parseNumber('--x', 'Infinity'))).toBe(
      "--x must be a number in (-inf, inf), got 'Infinity'",
    );
  });

  it('reads lists item by item, each in range', () => {
    expect(numberList('--epsilons', { min: 0, max: 1 })('0,0.1,.3')).toEqual([0, 0.1, 0.3]);
    expect(result(() => numberList('--epsilons', { min: 0, max: 1 })('0,,0.1'))).toMatch(
      /^--epsilons must be a number/,
    );
    expect(result(() => numberList('--epsilons', { min: 0, max: 1 })('0,2'))).toMatch(/got '2'$/);
    expect(result(() => numberList('--epsilons')(''))).toMatch(/^--epsilons must list 1 to 1000/);
    expect(integerList('--hidden', { min: 1, max: 4096 })('256,128')).toEqual([256, 128]);
    expect(result(() => integerList('--hidden', { min: 1, max: 4096 })('256,-5'))).toMatch(/got '-5'$/);
  });

  it('accepts exactly the integers in range (property)', () => {
    const range = { min: 3, max: 1000 };
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -5000, max: 5000 }).map(String), fc.string({ maxLength: 8 })),
        (text) => {
          const got = result(() => parseInteger('--k', text, range));
          const n = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
          if (Number.isInteger(n) && n >= 3 && n <= 1000) expect(got).toBe(n);
          else if (typeof got === 'number') {
            // other spellings of an in-range integer (3.0, 1e2) are fine; nothing else is
            expect(Number.isInteger(got) && got >= 3 && got <= 1000 && Number(text.trim()) === got).toBe(
              true,
            );
          } else expect(got).toMatch(/^--k must be an integer in \[3, 1000\]/);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

const built = fileURLToPath(new URL('../dist/lab.js', import.meta.url));

describe.skipIf(!existsSync(built))('lab refuses bad numeric options before doing anything', () => {
  const lab = (...args: string[]) => spawnSync('node', [built, ...args], { encoding: 'utf8' });
  it.each([
    [['train', '--seed', 'abc'], '--seed'],
    [['gan', 'train', '--width', '100000'], '--width'],
    [['wgan', 'train', '--lambda', '0'], '--lambda'],
    [['gan', 'adversarial', '--data', 'x', '--epsilons', '0,abc'], '--epsilons'],
  ])('%j', (args, option) => {
    const r = lab(...args);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${option} must be`);
  });
});
