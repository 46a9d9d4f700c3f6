import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { FileTooLargeError, readFileLimited, readStreamLimited } from './read-limited.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-read-limited-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readFileLimited', () => {
  it('reads a file up to the limit and refuses one byte more, naming the file, its size and the limit', () => {
    const p = join(dir, 'ten.bin');
    writeFileSync(p, Buffer.from('0123456789'));
    expect(readFileLimited(p, 10).toString()).toBe('0123456789');
    expect(() => readFileLimited(p, 9, { hint: '--max-input-bytes raises it' })).toThrow(
      `${p}: 10 bytes, more than the limit of 9 bytes; --max-input-bytes raises it`,
    );
    expect(() => readFileLimited(p, 9)).toThrow(FileTooLargeError);
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, '');
    expect(readFileLimited(empty, 0)).toHaveLength(0);
  });

  it('reads files larger than one chunk whole, and names a missing file or a directory', () => {
    const p = join(dir, 'big.bin');
    const bytes = Buffer.alloc(3 * 2 ** 20 + 17, 7);
    bytes[bytes.length - 1] = 9;
    writeFileSync(p, bytes);
    expect(readFileLimited(p, bytes.length).equals(bytes)).toBe(true);
    expect(() => readFileLimited(join(dir, 'nope'), 10)).toThrow(`${join(dir, 'nope')}: no such file`);
    expect(() => readFileLimited(dir, 10)).toThrow(`${dir}: a directory, not a file`);
  });
});

describe('readStreamLimited', () => {
  it('reads a stream up to the limit and stops at the first chunk past it', async () => {
    const chunks = () => ['abc', 'def', 'ghi'].map((s) => Buffer.from(s));
    expect((await readStreamLimited(Readable.from(chunks()), 'standard input', 9)).toString()).toBe(
      'abcdefghi',
    );
    let pulled = 0;
    // an endless stream: reading must stop at the limit, not wait for an end that never comes
    const endless = Readable.from(
      (function* () {
        for (;;) {
          pulled++;
          yield Buffer.alloc(1000);
        }
      })(),
    );
    await expect(readStreamLimited(endless, 'standard input', 4500)).rejects.toThrow(
      'standard input: more than the limit of 4500 bytes',
    );
    expect(pulled).toBeLessThan(20);
  });
});
