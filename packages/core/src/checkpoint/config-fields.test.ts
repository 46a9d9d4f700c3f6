import { describe, expect, it } from 'vitest';
import { choiceField, configObject, integerField, numberField } from './config-fields.js';
import { ModelFileError } from './model-file-error.js';

/** The ModelFileError `fn` throws (fails the test when it throws nothing or something else). */
function refusal(fn: () => unknown): ModelFileError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return e as ModelFileError;
  }
  throw new Error('expected a ModelFileError');
}

describe('configObject', () => {
  it('accepts a plain object and returns it as is', () => {
    const raw = { a: 1 };
    expect(configObject(raw)).toBe(raw);
  });

  it.each([
    [null, 'null'],
    [[1, 2], 'an array'],
    ['text', '"text"'],
    [3, '3'],
    [undefined, 'undefined'],
  ])('refuses %o, naming the place and what it got', (raw, got) => {
    const e = refusal(() => configObject(raw, 'head'));
    expect(e.field).toBe('head');
    expect(e.message).toBe(`head: must be a JSON object, got ${got}`);
  });

  it('shortens a long string in the message', () => {
    const e = refusal(() => configObject('x'.repeat(100)));
    expect(e.message).toContain(`"${'x'.repeat(40)}..."`);
    expect(e.message).not.toContain('x'.repeat(41));
  });
});

describe('integerField', () => {
  it('returns a whole number in range, the bounds included', () => {
    expect(integerField({ n: 3 }, 'n', { min: 3, max: 5 })).toBe(3);
    expect(integerField({ n: 5 }, 'n', { min: 3, max: 5 })).toBe(5);
    expect(integerField({ n: -7 }, 'n')).toBe(-7);
  });

  it('uses the default only when the field is absent', () => {
    expect(integerField({}, 'n', { default: 9 })).toBe(9);
    // a present but wrong value is refused even with a default
    expect(refusal(() => integerField({ n: null }, 'n', { default: 9 })).field).toBe('config.n');
  });

  it('refuses absent (no default), fractional, non-number and out-of-range values, naming where.key', () => {
    expect(refusal(() => integerField({}, 'n', {}, 'model')).message).toBe(
      'model.n: must be a whole number, got undefined',
    );
    expect(refusal(() => integerField({ n: 2.5 }, 'n')).message).toBe(
      'config.n: must be a whole number, got 2.5',
    );
    expect(refusal(() => integerField({ n: '4' }, 'n')).message).toBe(
      'config.n: must be a whole number, got "4"',
    );
    expect(refusal(() => integerField({ n: {} }, 'n')).message).toContain('got an object');
    expect(refusal(() => integerField({ n: Number.NaN }, 'n')).message).toContain('got NaN');
    expect(refusal(() => integerField({ n: 6 }, 'n', { min: 3, max: 5 })).message).toBe(
      'config.n: must be in [3, 5], got 6',
    );
    expect(refusal(() => integerField({ n: 2 }, 'n', { min: 3 })).reason).toMatch(/^must be in \[3, /);
  });
});

describe('numberField', () => {
  it('accepts finite fractions in range and the default when absent', () => {
    expect(numberField({ lr: 0.25 }, 'lr', { min: 0, max: 1 })).toBe(0.25);
    expect(numberField({}, 'lr', { default: 0.1 })).toBe(0.1);
  });

  it('refuses infinities, NaN, strings and out-of-range values, naming the field', () => {
    for (const v of [Number.POSITIVE_INFINITY, Number.NaN, '0.1', null]) {
      const e = refusal(() => numberField({ lr: v }, 'lr', {}, 'optim'));
      expect(e.field).toBe('optim.lr');
      expect(e.reason).toMatch(/^must be a finite number, got /);
    }
    expect(refusal(() => numberField({ lr: -0.5 }, 'lr', { min: 0, max: 1 })).message).toBe(
      'config.lr: must be in [0, 1], got -0.5',
    );
  });
});

describe('choiceField', () => {
  const kinds = ['none', 'batch'] as const;
  it('returns one of the choices, or the default when absent', () => {
    expect(choiceField({ norm: 'batch' }, 'norm', kinds)).toBe('batch');
    expect(choiceField({}, 'norm', kinds, { default: 'none' })).toBe('none');
  });

  it('refuses other strings, other types and absence without a default, listing the choices', () => {
    expect(refusal(() => choiceField({ norm: 'layer' }, 'norm', kinds, {}, 'net')).message).toBe(
      'net.norm: must be one of none, batch, got "layer"',
    );
    expect(refusal(() => choiceField({ norm: 1 }, 'norm', kinds)).message).toContain('got 1');
    expect(refusal(() => choiceField({}, 'norm', kinds)).field).toBe('config.norm');
    expect(refusal(() => choiceField({ norm: ['batch'] }, 'norm', kinds)).message).toContain('got an array');
  });
});
