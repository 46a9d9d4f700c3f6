// The files of `lab compress`: reading with errors that name the file, atomic writes, the error
// prefixing of inFile, the architecture name check, and model files round-tripped or refused.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, CompressedFileError } from '@lab/compress';
import { initBackend, ModelFileError, saveModule } from '@lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkModelName,
  inFile,
  MODEL_KIND,
  readInput,
  readModel,
  writeModel,
  writeOutput,
} from './compress-files.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-compress-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('readInput and writeOutput', () => {
  it('reads what writeOutput wrote, strings and bytes, leaving no temporary file', () => {
    const p = join(dir, 'out.bin');
    writeOutput(p, 'text');
    expect(new TextDecoder().decode(readInput(p))).toBe('text');
    writeOutput(p, Uint8Array.from([1, 2, 255]));
    expect(Array.from(readInput(p))).toEqual([1, 2, 255]);
    expect(readdirSync(dir).filter((f) => f.includes('out.bin'))).toEqual(['out.bin']);
  });

  it('names a missing file and a directory', () => {
    expect(() => readInput(join(dir, 'nope.st'))).toThrow(`${join(dir, 'nope.st')}: no such file`);
    expect(() => readInput(dir)).toThrow(`${dir}: not a file`);
  });
});

describe('inFile', () => {
  it('passes the value through and prefixes errors with the file once', () => {
    expect(inFile('f', () => 42)).toBe(42);
    expect(() =>
      inFile('m.st', () => {
        throw new RangeError('bad shape');
      }),
    ).toThrow(/^m\.st: bad shape$/);
    expect(() =>
      inFile('m.st', () => {
        throw new Error('m.st: already named');
      }),
    ).toThrow(/^m\.st: already named$/);
    expect(() =>
      inFile('m.st', () => {
        throw 'a string';
      }),
    ).toThrow(/^m\.st: a string$/);
    expect(() =>
      inFile('c.ldcf', () => {
        throw new CompressedFileError('checksum', 'header', 16, 'header CRC-32 mismatch');
      }),
    ).toThrow(/^c\.ldcf: compressed file: checksum in header at byte 16: header CRC-32 mismatch$/);
  });
});

describe('checkModelName', () => {
  it('accepts the two networks and names the place of anything else', () => {
    expect(checkModelName('lenet-5', '--model')).toBe('lenet-5');
    expect(checkModelName('lenet-300-100', '--model')).toBe('lenet-300-100');
    for (const bad of ['lenet-4', 3, undefined, null]) {
      let error: unknown;
      try {
        checkModelName(bad, 'config.model');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ModelFileError);
      expect((error as Error).message).toBe(
        `config.model: is ${JSON.stringify(bad)}; known models: lenet-300-100, lenet-5`,
      );
    }
  });
});

describe('readModel and writeModel', () => {
  it('round-trip a network and its name, weights bit for bit', () => {
    const p = join(dir, 'model.st');
    const model = buildModel('lenet-300-100');
    writeModel(p, model, 'lenet-300-100', { note: 'x' });
    const { model: back, name } = readModel(p);
    expect(name).toBe('lenet-300-100');
    const a = model.stateDict();
    const b = back.stateDict();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    // bit for bit (a byte comparison: toEqual on 235,200 floats is slow)
    const bytes = (t: { dataSync(): ArrayLike<number> }) =>
      Buffer.from((t.dataSync() as Float32Array).buffer);
    for (const k of Object.keys(a)) expect(Buffer.compare(bytes(b[k]!), bytes(a[k]!)), k).toBe(0);
    model.dispose();
    back.dispose();
  });

  it('refuses a file of another architecture name, another kind, or not a model, naming the file', () => {
    const model = buildModel('lenet-300-100');
    const vgg = join(dir, 'vgg.st');
    writeFileSync(vgg, saveModule(model, { model: 'vgg' }, MODEL_KIND));
    expect(() => readModel(vgg)).toThrow(new RegExp(`^${vgg}: config\\.model: is "vgg"; known models`));
    const other = join(dir, 'other.st');
    writeFileSync(
      other,
      saveModule(model, { model: 'lenet-300-100' }, { kind: 'gan.generator', version: 1 }),
    );
    expect(() => readModel(other)).toThrow(new RegExp(`^${other}: .*compress\\.model`));
    const junk = join(dir, 'junk.st');
    writeFileSync(junk, 'not safetensors at all');
    expect(() => readModel(junk)).toThrow(new RegExp(`^${junk}: `));
    model.dispose();
  });
});
