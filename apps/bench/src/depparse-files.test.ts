// W4's inputs: a model directory read with its paths (so that the depparse checks name the file), the
// training settings checked field by field, and CoNLL-U read strictly with the file named.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PARSER_FILES, Parser, TAGGER_FILES } from '@lab/depparse';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFileError } from './bench-files.js';
import {
  MAX_TRAINING_BATCH,
  readConlluFile,
  readModelDir,
  readTrainingSettings,
  trainingSettings,
} from './depparse-files.js';

const shipped = dirname(
  createRequire(import.meta.url).resolve(`@lab/depparse/models/en_ewt/${PARSER_FILES.vocab}`),
);
const dir = mkdtempSync(join(tmpdir(), 'bench-depparse-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readModelDir', () => {
  it("reads a model's files and gives their paths; the config file only where there is one", () => {
    const d = mkdtempSync(join(dir, 'model-'));
    writeFileSync(join(d, 'tagger.safetensors'), new Uint8Array([1, 2, 3]));
    writeFileSync(join(d, 'tagger-vocab.json'), '{"v": 1}');
    const r = readModelDir(d, TAGGER_FILES);
    expect([...r.files.weights]).toEqual([1, 2, 3]);
    expect(r.files.vocab).toBe('{"v": 1}');
    expect('config' in r.files).toBe(false);
    expect(r.names).toEqual({
      weights: join(d, TAGGER_FILES.weights),
      vocab: join(d, TAGGER_FILES.vocab),
      config: join(d, TAGGER_FILES.config),
    });
    writeFileSync(join(d, TAGGER_FILES.config), '{}');
    expect(readModelDir(d, TAGGER_FILES).files.config).toBe('{}');
    expect(() => readModelDir(d, PARSER_FILES)).toThrow(`${join(d, PARSER_FILES.weights)}: no such file`);
  });

  it('hands the paths on, so that a truncated vocabulary is refused naming that file', () => {
    const d = mkdtempSync(join(dir, 'truncated-'));
    for (const f of [PARSER_FILES.weights, PARSER_FILES.config]) copyFileSync(join(shipped, f), join(d, f));
    const vocab = readFileSync(join(shipped, PARSER_FILES.vocab), 'utf8');
    writeFileSync(join(d, PARSER_FILES.vocab), vocab.slice(0, vocab.length >> 1));
    const r = readModelDir(d, PARSER_FILES);
    expect(() => Parser.fromFiles(r.files, r.names)).toThrow(join(d, PARSER_FILES.vocab));
    // binary bytes where the vocabulary should be are refused before any JSON is parsed
    writeFileSync(join(d, PARSER_FILES.vocab), new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]));
    expect(() => readModelDir(d, PARSER_FILES)).toThrow(`${join(d, PARSER_FILES.vocab)}: not UTF-8 text`);
  });
});

describe('training settings', () => {
  const f = '/m/training.json';

  it("takes the shipped model's settings as they are written", () => {
    const json = JSON.parse(readFileSync(join(shipped, 'training.json'), 'utf8'));
    expect(readTrainingSettings(shipped)).toEqual({
      wordDropout: json.options.wordDropout,
      batchSize: json.options.batchSize,
      optimizer: json.options.optimizer,
    });
  });

  it('leaves out what is absent, keeps what is valid', () => {
    expect(trainingSettings({}, f)).toEqual({});
    expect(trainingSettings({ options: {} }, f)).toEqual({});
    expect(trainingSettings({ options: { wordDropout: 0, batchSize: 1, optimizer: 'adagrad' } }, f)).toEqual({
      wordDropout: 0,
      batchSize: 1,
      optimizer: 'adagrad',
    });
  });

  it('refuses wrong types and ranges, naming the file and the field', () => {
    const bad: [unknown, string][] = [
      [null, `${f}: options: not a JSON object`],
      [[1], `${f}: options: not a JSON object`],
      [{ wordDropout: -0.1 }, `${f}: options.wordDropout: -0.1 is not a number >= 0`],
      [{ wordDropout: '0.25' }, `${f}: options.wordDropout: 0.25 is not a number >= 0`],
      [{ batchSize: 0 }, `${f}: options.batchSize: 0 is not an integer in [1, ${MAX_TRAINING_BATCH}]`],
      [{ batchSize: 64.5 }, `${f}: options.batchSize: 64.5 is not an integer in [1, ${MAX_TRAINING_BATCH}]`],
      [
        { batchSize: 1e9 },
        `${f}: options.batchSize: 1000000000 is not an integer in [1, ${MAX_TRAINING_BATCH}]`,
      ],
      [{ optimizer: 'sgd' }, `${f}: options.optimizer: "sgd" is not one of adam, adagrad`],
      [{ optimizer: 'constructor' }, `${f}: options.optimizer: "constructor" is not one of adam, adagrad`],
    ];
    for (const [options, message] of bad) {
      expect(() => trainingSettings({ options }, f)).toThrow(InputFileError);
      expect(() => trainingSettings({ options }, f)).toThrow(message);
    }
    // inherited names are not settings
    expect(trainingSettings(JSON.parse('{"options": {}}'), f).optimizer).toBeUndefined();
  });

  it('refuses a training.json that is not a JSON object, naming it', () => {
    const d = mkdtempSync(join(dir, 'training-'));
    writeFileSync(join(d, 'training.json'), '{"options": ');
    expect(() => readTrainingSettings(d)).toThrow(`${join(d, 'training.json')}: not JSON`);
  });
});

describe('readConlluFile', () => {
  const row = (id: number, form: string, head: number, rel: string) =>
    `${id}\t${form}\t${form}\tX\t_\t_\t${head}\t${rel}\t_\t_`;

  it('reads sentences strictly and names the file and line of a broken one', () => {
    const good = join(dir, 'good.conllu');
    writeFileSync(good, `${row(1, 'Hi', 0, 'root')}\n${row(2, 'there', 1, 'dep')}\n\n`);
    const sentences = readConlluFile(good);
    expect(sentences).toHaveLength(1);
    const bad = join(dir, 'bad.conllu');
    writeFileSync(bad, `${row(1, 'Hi', 0, 'root')}\n${row(2, 'there', 9, 'dep')}\n\n`);
    expect(() => readConlluFile(bad)).toThrow(InputFileError);
    expect(() => readConlluFile(bad)).toThrow(new RegExp(`^${bad}: line 2`));
    const binary = join(dir, 'binary.conllu');
    writeFileSync(binary, new Uint8Array([0xff, 0x00, 0x81]));
    expect(() => readConlluFile(binary)).toThrow(`${binary}: not UTF-8 text`);
  });
});
