import { describe, expect, it } from 'vitest';
import { ModelFileError } from './model-file-error.js';

describe('ModelFileError', () => {
  it('names the file, then the field, then the reason; leaves out the parts it does not know', () => {
    const both = new ModelFileError('config.classes', 'must be a positive integer, got -1', {
      file: 'model.json',
    });
    expect(both.message).toBe('model.json: config.classes: must be a positive integer, got -1');
    expect(both).toBeInstanceOf(Error);
    expect(both.name).toBe('ModelFileError');
    expect([both.file, both.field, both.reason]).toEqual([
      'model.json',
      'config.classes',
      'must be a positive integer, got -1',
    ]);
    expect(new ModelFileError("tensor 'head.weight'", 'missing').message).toBe(
      "tensor 'head.weight': missing",
    );
    expect(new ModelFileError('', 'not JSON', { file: 'vocab.json' }).message).toBe('vocab.json: not JSON');
    expect(new ModelFileError('', 'empty').message).toBe(': empty');
  });

  it('keeps a cause only when given one', () => {
    const cause = new SyntaxError('bad token');
    expect(new ModelFileError('x', 'y', { cause }).cause).toBe(cause);
    expect('cause' in new ModelFileError('x', 'y')).toBe(false);
  });

  it('inFile names the file once: a new error for one naming none, the same error otherwise', () => {
    const cause = new Error('inner');
    const bare = new ModelFileError('lab.module.kind', "unknown kind 'x'", { cause });
    const named = bare.inFile('a/model.json');
    expect(named).not.toBe(bare);
    expect(named).toBeInstanceOf(ModelFileError);
    expect(named.message).toBe("a/model.json: lab.module.kind: unknown kind 'x'");
    expect([named.file, named.field, named.reason, named.cause]).toEqual([
      'a/model.json',
      'lab.module.kind',
      "unknown kind 'x'",
      cause,
    ]);
    expect(bare.file).toBeUndefined();
    expect(named.inFile('b.json')).toBe(named);
  });
});
