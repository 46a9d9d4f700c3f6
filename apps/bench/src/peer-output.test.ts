// The peers' output is checked like a file: bounded, JSON where JSON is expected, every field typed and
// in range, inherited names never mistaken for fields; each error names the script and the field.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  jsonObject,
  lastJsonObject,
  numberArrayField,
  numberField,
  numberRowsField,
  OutputCollector,
  objectArrayField,
  optionalNumberField,
  readPeerFile,
  readPeerNpy,
  recordField,
  stringField,
} from './peer-output.js';
import { caughtPeerError, npyBytes } from './peer-output-fixture.js';

const S = 'some_peer.py';
const caught = caughtPeerError;

describe('OutputCollector', () => {
  it('joins the pieces and refuses more than its limit, naming the script', () => {
    const c = new OutputCollector(S, 10);
    c.add('abc');
    c.add(new TextEncoder().encode('défg')); // é is two bytes: 3 + 5 = 8
    expect(c.text()).toBe('abcdéfg');
    c.add('12');
    const e = caught(() => c.add('3'));
    expect(e.message).toBe(`${S}: printed more than 10 bytes`);
    expect(e.script).toBe(S);
  });
});

describe('lastJsonObject', () => {
  it('reads the last non-empty line, after any progress lines', () => {
    expect(lastJsonObject('step 1\nstep 2\n{"a": 1}\n\n  \n', S)).toEqual({ a: 1 });
  });

  it('refuses empty output, a last line that is not JSON, and JSON that is not an object', () => {
    expect(caught(() => lastJsonObject(' \n\n', S)).message).toBe(`${S}: printed nothing`);
    expect(caught(() => lastJsonObject('{"a": 1}\nTraceback', S)).message).toBe(
      `${S}: its last line is not JSON: Traceback`,
    );
    for (const v of ['[1, 2]', 'null', '3', '"x"'])
      expect(caught(() => lastJsonObject(v, S)).message).toMatch(/is not a JSON object/);
    expect(caught(() => jsonObject('{', S, 'line 4')).message).toBe(`${S}: line 4 is not JSON: {`);
  });
});

describe('field checks', () => {
  const o = JSON.parse(
    '{"n": 3, "x": 0.5, "big": 1e400, "s": "a.npy", "e": "", "xs": [1, 2.5], "r": {"1": 2}}',
  );

  it('returns fields of the right type in range', () => {
    expect(numberField(o, 'n', S, { min: 1, max: 3, integer: true })).toBe(3);
    expect(numberField(o, 'x', S, { min: 0, max: 1 })).toBe(0.5);
    expect(optionalNumberField(o, 'absent', S)).toBeUndefined();
    expect(optionalNumberField(o, 'x', S, { min: 0 })).toBe(0.5);
    expect(stringField(o, 's', S)).toBe('a.npy');
    expect(numberArrayField(o, 'xs', S)).toEqual([1, 2.5]);
    expect([...recordField(o, 'r', S, (k, v) => `${k}=${v}`).values()]).toEqual(['1=2']);
  });

  it('names the field and says what was expected', () => {
    const cases: [() => unknown, string][] = [
      [() => numberField(o, 'absent', S), `${S}: absent: expected a finite number, got nothing`],
      [() => numberField(o, 's', S), `${S}: s: expected a finite number, got "a.npy"`],
      // JSON's 1e400 parses to Infinity
      [() => numberField(o, 'big', S), `${S}: big: expected a finite number, got Infinity`],
      [() => numberField(o, 'x', S, { integer: true }), `${S}: x: expected an integer, got 0.5`],
      [() => numberField(o, 'n', S, { max: 2 }), `${S}: n: expected a finite number <= 2, got 3`],
      [
        () => numberField(o, 'x', S, { min: 1 }, 'line 2: '),
        `${S}: line 2: x: expected a finite number >= 1, got 0.5`,
      ],
      [
        () => numberField(o, 'n', S, { min: 0, max: 1 }),
        `${S}: n: expected a finite number in [0, 1], got 3`,
      ],
      [() => optionalNumberField(o, 'x', S, { min: 1 }), `${S}: x: expected a finite number >= 1, got 0.5`],
      [() => stringField(o, 'e', S), `${S}: e: expected a non-empty string, got ""`],
      [() => stringField(o, 'n', S), `${S}: n: expected a non-empty string, got 3`],
      [() => numberArrayField(o, 'r', S), `${S}: r: expected an array, got {"1":2}`],
      [() => numberArrayField({ xs: [1, 'a'] }, 'xs', S), `${S}: xs[1]: expected a finite number, got "a"`],
      [() => recordField(o, 'xs', S, () => 0), `${S}: xs: expected a JSON object, got [1,2.5]`],
      [() => recordField({ r: null }, 'r', S, () => 0), `${S}: r: expected a JSON object, got null`],
    ];
    for (const [f, message] of cases) expect(caught(f).message).toBe(message);
    expect(caught(() => numberField(o, 'n', S, { max: 2 })).field).toBe('n');
  });

  it('never takes an inherited property for a field', () => {
    const plain = JSON.parse('{}');
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(caught(() => stringField(plain, name, S)).message).toContain('got nothing');
      expect(caught(() => recordField(plain, name, S, () => 0)).message).toContain('got nothing');
      expect(optionalNumberField(plain, name, S)).toBeUndefined();
    }
    // a key "__proto__" written in the JSON is an own property, read as any other
    expect(numberField(JSON.parse('{"__proto__": 7}'), '__proto__', S)).toBe(7);
  });

  it('shortens long values in the message', () => {
    const long = { s: 'x'.repeat(500) };
    const m = caught(() => numberField(long, 's', S)).message;
    expect(m.length).toBeLessThan(100);
    expect(m.endsWith('...')).toBe(true);
  });
});

describe('arrays and tables', () => {
  it('checks the length of an array and of each row of a table', () => {
    expect(numberArrayField({ xs: [1, 2] }, 'xs', S, 2)).toEqual([1, 2]);
    expect(
      numberRowsField(
        {
          t: [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
        },
        't',
        S,
        3,
        2,
      ),
    ).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(numberRowsField({ t: [] }, 't', S, 0, 2)).toEqual([]);
    const cases: [() => unknown, string][] = [
      [() => numberArrayField({ xs: [1] }, 'xs', S, 2), `${S}: xs: expected 2 elements, got 1`],
      [() => numberRowsField({ t: [[1, 2]] }, 't', S, 2, 2), `${S}: t: expected 2 elements, got 1`],
      [() => numberRowsField({ t: [[1, 2], [3]] }, 't', S, 2, 2), `${S}: t[1]: expected 2 elements, got 1`],
      [() => numberRowsField({ t: [[1, 2], 3] }, 't', S, 2, 2), `${S}: t[1]: expected an array, got 3`],
      [
        () => numberRowsField({ t: [[1, null]] }, 't', S, 1, 2),
        `${S}: t[0][1]: expected a finite number, got null`,
      ],
      [() => numberRowsField({ t: 'x' }, 't', S, 1, 2), `${S}: t: expected an array, got "x"`],
    ];
    for (const [f, message] of cases) expect(caught(f).message).toBe(message);
  });

  it('reads an array of objects, naming the element that is not one', () => {
    expect(objectArrayField({ r: [{ a: 1 }, {}] }, 'r', S)).toEqual([{ a: 1 }, {}]);
    for (const bad of [null, 3, 'x', [1]])
      expect(caught(() => objectArrayField({ r: [{}, bad] }, 'r', S)).field).toBe('r[1]');
    expect(caught(() => objectArrayField({}, 'r', S)).message).toBe(
      `${S}: r: expected an array, got nothing`,
    );
    expect(caught(() => objectArrayField(JSON.parse('{}'), 'constructor', S)).message).toContain(
      'got nothing',
    );
  });

  it('prefixes the field of a string with the place it is in', () => {
    expect(caught(() => stringField({}, 'op', S, 'results[2].')).message).toBe(
      `${S}: results[2].op: expected a non-empty string, got nothing`,
    );
  });
});

describe('peer files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-peer-output-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file up to its limit and names a missing, oversized or non-regular one', () => {
    writeFileSync(join(dir, 'a.bin'), new Uint8Array(10));
    expect(readPeerFile(join(dir, 'a.bin'), S, 10).length).toBe(10);
    expect(caught(() => readPeerFile(join(dir, 'a.bin'), S, 9)).message).toBe(
      `${S}: a.bin: 10 bytes, more than the limit of 9`,
    );
    expect(caught(() => readPeerFile(join(dir, 'b.bin'), S)).message).toBe(
      `${S}: b.bin: the peer wrote no such file (${join(dir, 'b.bin')})`,
    );
    mkdirSync(join(dir, 'c.bin'));
    expect(caught(() => readPeerFile(join(dir, 'c.bin'), S)).message).toBe(
      `${S}: c.bin: is not a regular file`,
    );
  });

  it('reads an .npy file of the expected shape, and names the file at every fault', () => {
    const good = npyBytes([2, 3], [1, 2, 3, 4, 5, 6]);
    writeFileSync(join(dir, 'w.npy'), good);
    expect(readPeerNpy(join(dir, 'w.npy'), S, [2, 3])).toEqual({
      data: Float32Array.of(1, 2, 3, 4, 5, 6),
      shape: [2, 3],
    });
    expect(readPeerNpy(join(dir, 'w.npy'), S).shape).toEqual([2, 3]);
    expect(caught(() => readPeerNpy(join(dir, 'w.npy'), S, [3, 2])).message).toBe(
      `${S}: w.npy: shape [2, 3], expected [3, 2]`,
    );
    expect(caught(() => readPeerNpy(join(dir, 'w.npy'), S, [6])).field).toBe('w.npy');
    // every truncation, and a few random byte strings, give the typed error naming the file
    for (let n = 0; n < good.length; n++) {
      writeFileSync(join(dir, 'w.npy'), good.subarray(0, n));
      expect(caught(() => readPeerNpy(join(dir, 'w.npy'), S, [2, 3])).field).toBe('w.npy');
    }
    let seed = 7;
    for (let k = 0; k < 20; k++) {
      const bytes = Uint8Array.from({ length: 1 + ((k * 13) % 200) }, () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed & 255;
      });
      writeFileSync(join(dir, 'w.npy'), bytes);
      expect(caught(() => readPeerNpy(join(dir, 'w.npy'), S)).field).toBe('w.npy');
    }
    writeFileSync(join(dir, 'w.npy'), npyBytes([2], [1, Number.POSITIVE_INFINITY]));
    expect(caught(() => readPeerNpy(join(dir, 'w.npy'), S)).message).toMatch(
      /^some_peer\.py: w\.npy: value 1 is Infinity/,
    );
  });
});
