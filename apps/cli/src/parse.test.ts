import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSharedData } from '@lab/core/testing';
import { ConlluError, formatConllu, parseConllu, words } from '@lab/depparse';
import { afterAll, describe, expect, it } from 'vitest';
import {
  detectFormat,
  loadModel,
  parseContextOption,
  parseEval,
  parseHiddenOption,
  parseMaxWordsOption,
  parseRun,
  parseRunBatchSizeOption,
  parseTaggerEpochsOption,
  parseTrain,
  shippedModelDir,
} from './parse.js';

const out = mkdtempSync(join(tmpdir(), 'lab-parse-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const ewt = (split: string) => join(findSharedData(), 'ud', 'en_ewt', `en_ewt-ud-${split}.conllu`);

describe('lab parse', () => {
  it('trains a model directory, parses CoNLL-U and plain text with it, and scores the output', async () => {
    const dev = parseConllu(readFileSync(ewt('dev'), 'utf8')).slice(0, 60);
    writeFileSync(join(out, 'dev.conllu'), formatConllu(dev));
    const model = join(out, 'model');
    // pretrained vectors: one training word, one word training never sees (it joins the vocabulary)
    const vector = (k: number) =>
      Array.from({ length: 32 }, (_, i) => Math.sin(k * 7 + i).toFixed(4)).join(' ');
    writeFileSync(join(out, 'vectors.txt'), `the ${vector(1)}\nzyzzyva ${vector(2)}\n`);
    const s = await parseTrain({
      train: ewt('train'),
      dev: join(out, 'dev.conllu'),
      out: model,
      epochs: 3,
      system: 'arc-hybrid',
      hidden: [128],
      activation: 'cube',
      optimizer: 'adam',
      lrSchedule: 'cosine',
      batchSize: 256,
      wordDim: 32,
      vectors: join(out, 'vectors.txt'),
      vectorsVocab: 2,
      wordDropout: 1,
      morphology: 'xpos+feats',
      taggerEpochs: 5,
      half: true,
      seed: 0,
      limit: 600,
      backend: 'wasm',
      quiet: true,
    });
    expect(s.history).toHaveLength(3);
    const vocab = JSON.parse(readFileSync(join(model, 'vocab.json'), 'utf8'));
    expect(vocab.words.items.at(-1)).toBe('zyzzyva');
    expect(s.devTagAccuracy!.upos).toBeGreaterThan(0.6);
    const r = await parseRun({
      input: join(out, 'dev.conllu'),
      model,
      format: 'auto',
      output: join(out, 'parsed.conllu'),
      retag: false,
      batchSize: 32,
      backend: 'wasm',
    });
    expect(r.sentences).toBe(60);
    const scores = parseEval(join(out, 'dev.conllu'), join(out, 'parsed.conllu'));
    expect(scores.uas).toBeGreaterThan(0.5);
    expect(scores.tags.upos).toBe(1); // gold tags kept
    expect(scores.tags.feats).toBe(1);
    // plain text: tokenised, tagged by the model's tagger, parsed
    const text = await parseRun(
      { model, format: 'text', retag: false, batchSize: 8, backend: 'wasm' },
      'The dog barked at the mailman.\nI did not see it!\n',
    );
    const parsed = parseConllu(text.conllu);
    expect(parsed.map((p) => p.rows.length)).toEqual([7, 6]);
    expect(parsed[0]!.comments).toEqual(['# text = The dog barked at the mailman.']);
    expect(parsed.every((p) => p.rows.filter((w) => w.head === 0).length === 1)).toBe(true);
    // the model reads XPOS and FEATS: the tagger predicted both
    expect(parsed[0]!.rows[0]).toMatchObject({ form: 'The', xpos: 'DT', feats: 'Definite=Def|PronType=Art' });
    // distillation: a student with the model as its teacher (same data, so the same vocabularies)
    const student = join(out, 'student');
    const options = {
      train: ewt('train'),
      out: student,
      epochs: 1,
      system: 'arc-hybrid' as const,
      hidden: [64],
      activation: 'cube' as const,
      optimizer: 'adam' as const,
      lrSchedule: 'none' as const,
      batchSize: 256,
      wordDim: 32,
      vectors: join(out, 'vectors.txt'),
      vectorsVocab: 2,
      morphology: 'xpos+feats' as const,
      taggerEpochs: 0,
      half: false,
      seed: 1,
      limit: 600,
      backend: 'wasm' as const,
      quiet: true,
    };
    const d = await parseTrain({ ...options, teachers: [model], teacherWeight: 0.5 });
    expect(d.history).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(student, 'training.json'), 'utf8')).options.teachers).toEqual([
      model,
    ]);
    // a teacher trained on other sentences has another vocabulary: refused before training
    await expect(parseTrain({ ...options, limit: 300, teachers: [model] })).rejects.toThrow(
      /teacher 0: its words vocabulary/,
    );
  }, 600_000);

  it('trains and parses with a sentence-context encoder; --context values are checked', async () => {
    const model = join(out, 'context-model');
    const s = await parseTrain({
      train: ewt('train'),
      dev: ewt('dev'),
      out: model,
      epochs: 3,
      system: 'arc-hybrid',
      hidden: [64],
      activation: 'cube',
      optimizer: 'adam',
      lrSchedule: 'none',
      batchSize: 256,
      wordDim: 32,
      context: parseContextOption('16,2,3,8,2'),
      morphology: 'xpos',
      taggerEpochs: 0,
      half: false,
      seed: 0,
      limit: 600,
      backend: 'wasm',
      quiet: true,
    });
    expect(s.history).toHaveLength(3);
    // the config travels in the weights file's header: no config.json is written
    expect(existsSync(join(model, 'config.json'))).toBe(false);
    const loaded = loadModel(model);
    expect(loaded.parser.config.net.context).toEqual({
      dim: 16,
      layers: 2,
      width: 3,
      channels: 8,
      positions: 2,
    });
    loaded.parser.dispose();
    const r = await parseRun({
      input: ewt('dev'),
      model,
      format: 'auto',
      output: join(out, 'context-parsed.conllu'),
      retag: false,
      batchSize: 64,
      backend: 'wasm',
    });
    expect(r.sentences).toBeGreaterThan(1000);
    expect(parseEval(ewt('dev'), join(out, 'context-parsed.conllu')).uas).toBeGreaterThan(0.5);
    expect(parseContextOption('64,3,5')).toEqual({ dim: 64, layers: 3, width: 5 });
    expect(parseContextOption('64,3,5,64,4,0.25')).toEqual({
      dim: 64,
      layers: 3,
      width: 5,
      channels: 64,
      positions: 4,
      dropout: 0.25,
    });
    for (const bad of [
      '64,3',
      '64,3,4',
      '64,0,5',
      '64,3,5,32,5',
      'a,b,c',
      '64,3,5,32,2,1',
      '64,3,5,32,2,0.1,1',
    ])
      expect(() => parseContextOption(bad), bad).toThrow(/--context takes/);
  }, 600_000);

  it('gives clear errors for a missing model, a missing file, and mismatched gold/system files', async () => {
    await expect(
      parseRun({
        input: ewt('dev'),
        model: out,
        format: 'auto',
        retag: false,
        batchSize: 8,
        backend: 'wasm',
      }),
    ).rejects.toThrow(/not a parser model directory/);
    expect(() => parseEval(join(out, 'nope.conllu'), ewt('dev'))).toThrow(/no such file/);
    writeFileSync(join(out, 'one.conllu'), '1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n\n');
    expect(() => parseEval(ewt('dev'), join(out, 'one.conllu'))).toThrow(/sentences but system has 1/);
  });
});

const row = (id: number, form: string, upos = 'X', xpos = 'X', head = '_') =>
  `${id}\t${form}\t_\t${upos}\t${xpos}\t_\t${head}\t_\t_\t_`;
const run = (stdin: string | Uint8Array, more: Partial<Parameters<typeof parseRun>[0]> = {}) =>
  parseRun({ format: 'auto', retag: false, batchSize: 64, backend: 'wasm', quiet: true, ...more }, stdin);

describe('lab parse on broken input', () => {
  it('refuses broken CoNLL-U, naming the line and column, before loading the model', async () => {
    const cases: [string | Uint8Array, RegExp][] = [
      [`${row(1, 'The')}\n2 dog _ X X _ _ _ _ _\n\n`, /line 2: .*separated by spaces, not tabs/],
      ['1 The _ DET DT _ 2 det _ _\n\n', /line 1: .*separated by spaces, not tabs/], // detected as CoNLL-U
      ['1\tfoo\n', /line 1: expected 10 tab-separated columns, found 2/],
      [`${row(1, 'The')}\n${row(3, 'dog')}\n\n`, /line 2, column 1 \(ID\): word IDs must run/],
      [
        `${row(1, 'The', 'X', 'X', '0')}\n${row(2, 'dog', 'X', 'X', '3')}\n\n`,
        /line 2, column 7 \(HEAD\): HEAD 3/,
      ],
      [
        `${row(1, 'The').split('\t').slice(0, 9).join('\t')}\n\n`,
        /expected 10 tab-separated columns, found 9/,
      ],
      [Uint8Array.from([0x31, 0x09, 0xff, 0xfe, 0x00]), /standard input: line 1: not UTF-8 text/],
      [Uint8Array.from([0x31, 0x09, 0x00, 0x0a]), /binary data: NUL byte at offset 2/],
      ['', /standard input: no sentences in the input/],
      ['\n\n', /no sentences in the input/],
      [
        `${Array.from({ length: 1001 }, (_, i) => row(i + 1, 'w')).join('\n')}\n\n`,
        /more than 1000 words, the limit per sentence; --max-words raises it/,
      ],
      [
        `${Array.from({ length: 1001 }, () => 'w').join(' ')}\n`,
        /line 1: 1001 tokens: more than 1000 words, the limit per sentence; --max-words/,
      ],
    ];
    for (const [input, message] of cases)
      await expect(run(input), String(input).slice(0, 40)).rejects.toThrow(message);
    await expect(run('Hi.\n', { maxWords: 0 })).rejects.toThrow(/--max-words must be a positive integer/);
    await expect(run('Hi.\n', { batchSize: 5000 })).rejects.toThrow(
      /--batch-size must be an integer in \[1, 4096\]/,
    );
    await expect(run('Hi.\n', { input: join(out, 'nope.conllu') })).rejects.toThrow(
      /nope.conllu: no such file/,
    );
  });

  it('--lenient warns about every problem with a count, skips unusable sentences and parses the rest', async () => {
    const input = [
      `${row(1, 'The', 'DET', 'DT')}\n2 dog _ NOUN NN _ _ _ _ _\n`,
      `${row(1, 'Dogs', 'NOUN', 'NNS')}\n${row(2, 'bark', 'VERB', 'VBP')}\n`,
      `${row(1, 'Cats', 'NOUN', 'NNS')}\n${row(3, 'meow', 'VERB', 'VBP')}\n`,
    ].join('\n');
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => written.push(s) > 0) as typeof process.stderr.write;
    let r: Awaited<ReturnType<typeof parseRun>>;
    try {
      r = await run(`${input}\n`, { lenient: true });
    } finally {
      process.stderr.write = write;
    }
    expect(r.sentences).toBe(1);
    expect(parseConllu(r.conllu).map((s) => words(s).map((w) => [w.form, w.upos, w.xpos]))).toEqual([
      [
        ['Dogs', 'NOUN', 'NNS'],
        ['bark', 'VERB', 'VBP'],
      ],
    ]);
    expect(r.warnings.map((w) => [w.line, w.skipped])).toEqual([
      [2, false],
      [1, true],
      [8, true],
    ]);
    expect(r.warnings.every((w) => w instanceof ConlluError)).toBe(true);
    expect(written.join('')).toMatch(
      /warning: standard input: line 2: expected 10 tab-separated columns[^\n]*\n.*\n.*\nstandard input: 3 warnings, 2 sentences skipped\n/,
    );
  });

  it('reads CRLF input as LF, parses HEAD "_" input, and fills in only the tags the input lacks', async () => {
    const lf = `${row(1, 'Dogs', 'NOUN', 'NNS')}\n${row(2, 'bark', 'VERB', 'VBP')}\n\n${row(1, 'Cats', 'NOUN', 'NNS')}\n${row(2, 'meow', 'VERB', 'VBP')}\n\n`;
    const a = await run(lf);
    const b = await run(lf.replace(/\n/g, '\r\n'));
    expect(a.sentences).toBe(2);
    expect(b.conllu).toBe(a.conllu);
    expect(parseConllu(a.conllu).every((s) => words(s).filter((w) => w.head === 0).length === 1)).toBe(true);
    // no XPOS: the tagger predicts XPOS (and FEATS) and keeps the UPOS given, even an odd one
    const noXpos = `${row(1, 'The', 'DET', '_')}\n${row(2, 'dog', 'PROPN', '_')}\n${row(3, 'barked', 'VERB', '_')}\n\n`;
    const [tagged] = parseConllu((await run(noXpos)).conllu);
    expect(words(tagged!).map((w) => w.upos)).toEqual(['DET', 'PROPN', 'VERB']);
    const [retagged] = parseConllu((await run(noXpos, { retag: true })).conllu);
    expect(words(retagged!).map((w) => w.upos)).toEqual(['DET', 'NOUN', 'VERB']);
    expect(words(tagged!).map((w) => w.xpos)).toEqual(words(retagged!).map((w) => w.xpos));
    expect(words(tagged!)[0]!.xpos).toBe('DT');
  });

  it('detects CoNLL-U written with spaces, and plain text', () => {
    expect(detectFormat('# c\n1\tThe\n')).toBe('conllu');
    expect(detectFormat('1 The the DET DT _ 2 det _ _\n')).toBe('conllu');
    expect(detectFormat('1 dog barked at 2 cats in the yard today.\n')).toBe('text');
    expect(detectFormat('The dog barked.\n')).toBe('text');
    expect(detectFormat('The dog barked.\n', 'x.conllu')).toBe('conllu');
  });

  it('validates the parse options, naming them', () => {
    expect(parseHiddenOption('256')).toEqual([256]);
    expect(parseHiddenOption('256,128')).toEqual([256, 128]);
    for (const bad of ['-5', '0', 'abc', '', '256,', '1,2,3', '1.5', '1e9'])
      expect(() => parseHiddenOption(bad), bad).toThrow(/--hidden takes one or two layer sizes/);
    expect(parseTaggerEpochsOption('0')).toBe(0);
    expect(parseTaggerEpochsOption('4')).toBe(4);
    for (const bad of ['-1', 'abc', '', '1.5', 'Infinity'])
      expect(() => parseTaggerEpochsOption(bad), bad).toThrow(
        /--tagger-epochs must be an integer in \[0, 10000\]/,
      );
    expect(parseMaxWordsOption('5000')).toBe(5000);
    for (const bad of ['0', '-3', 'x', '2e6'])
      expect(() => parseMaxWordsOption(bad), bad).toThrow(/--max-words/);
    expect(parseRunBatchSizeOption('4096')).toBe(4096);
    for (const bad of ['0', '4097', 'x'])
      expect(() => parseRunBatchSizeOption(bad), bad).toThrow(/--batch-size/);
  });

  it('refuses bad training options before reading any data', async () => {
    const options = {
      train: ewt('train'),
      out: join(out, 'never'),
      epochs: 1,
      system: 'arc-hybrid' as const,
      activation: 'cube' as const,
      optimizer: 'adam' as const,
      lrSchedule: 'none' as const,
      batchSize: 64,
      wordDim: 8,
      morphology: 'xpos' as const,
      half: false,
      seed: 0,
      backend: 'wasm' as const,
      quiet: true,
    };
    await expect(parseTrain({ ...options, hidden: [0], taggerEpochs: 0 })).rejects.toThrow(/--hidden/);
    await expect(parseTrain({ ...options, hidden: [8], taggerEpochs: -1 })).rejects.toThrow(
      /--tagger-epochs/,
    );
  });

  it('names the model file at fault: a truncated vocabulary, a partial tagger', async () => {
    const dir = join(out, 'broken-model');
    cpSync(shippedModelDir(), dir, { recursive: true });
    const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8'));
    vocab.words.items = vocab.words.items.slice(0, 15_000);
    vocab.words.counts = vocab.words.counts.slice(0, 15_000);
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
    await expect(run('Hi.\n', { model: dir })).rejects.toThrow(
      `${join(dir, 'vocab.json')}: words.items: 15000 items (+3 reserved = 15003), but ${join(dir, 'config.json')} net.words is 21632`,
    );
    cpSync(join(shippedModelDir(), 'vocab.json'), join(dir, 'vocab.json'));
    rmSync(join(dir, 'tagger-vocab.json'));
    await expect(run('Hi.\n', { model: dir })).rejects.toThrow(
      /a tagger needs .*; missing tagger-vocab.json/,
    );
  });

  it('reads the tagger only for input that lacks tags (or with --retag), and then names its broken file', async () => {
    const dir = join(out, 'broken-tagger');
    cpSync(shippedModelDir(), dir, { recursive: true });
    writeFileSync(join(dir, 'tagger.safetensors'), 'not a safetensors file');
    // tagged CoNLL-U: the tagger is never read
    const tagged = `${row(1, 'Dogs', 'NOUN', 'NNS')}\n${row(2, 'bark', 'VERB', 'VBP')}\n\n`;
    const r = await run(tagged, { model: dir });
    expect(r.sentences).toBe(1);
    const untagged = loadModel(dir, { tagger: false });
    expect(untagged.tagger).toBeUndefined();
    untagged.parser.dispose();
    // text, or tagged input with --retag: it is, and the broken file is named
    await expect(run('Dogs bark.\n', { model: dir })).rejects.toThrow(join(dir, 'tagger.safetensors'));
    await expect(run(tagged, { model: dir, retag: true })).rejects.toThrow(join(dir, 'tagger.safetensors'));
  });

  it('the lab command exits non-zero with the message, or 0 with warnings under --lenient', () => {
    const lab = fileURLToPath(new URL('../dist/lab.js', import.meta.url));
    const cli = (args: string[], input: string) =>
      spawnSync(process.execPath, [lab, ...args], { input, encoding: 'utf8' });
    const spaced = `${row(1, 'Dogs', 'NOUN', 'NNS')}\n2 bark _ VERB VBP _ _ _ _ _\n\n${row(1, 'Hi', 'INTJ', 'UH')}\n\n`;
    const strict = cli(['parse'], spaced);
    expect([strict.status, strict.stdout]).toEqual([1, '']);
    expect(strict.stderr).toMatch(/^lab: standard input: line 2: expected 10 tab-separated columns, found 1/);
    const lenient = cli(['parse', '--lenient'], spaced);
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toMatch(/standard input: 2 warnings, 1 sentence skipped/);
    expect(parseConllu(lenient.stdout)).toHaveLength(1);
    for (const args of [
      ['parse', 'train', '--train', 'x', '--hidden', '-5'],
      ['parse', 'train', '--train', 'x', '--tagger-epochs', 'abc'],
    ]) {
      const r = cli(args, '');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`option '${args[4]} <[a-z]+>' argument '${args[5]}' is invalid. ${args[4]}`),
      );
    }
  });
});

const labCli = fileURLToPath(new URL('../dist/lab.js', import.meta.url));
const cliRun = (args: string[], input = '') =>
  spawnSync(process.execPath, [labCli, ...args], { input, encoding: 'utf8' });

describe('lab parse train and eval on broken input, and input size limits', () => {
  it('train reads strictly (exit 1 naming file:line) or with --lenient warns, skips and trains on the rest', () => {
    const sentences = parseConllu(readFileSync(ewt('dev'), 'utf8')).slice(0, 12);
    const good = formatConllu(sentences);
    // the third sentence's second row written with spaces instead of tabs
    const lines = good.split('\n');
    const starts = lines.flatMap((l, i) => (l.startsWith('1\t') ? [i] : []));
    const broken = starts[2]! + 1;
    lines[broken] = lines[broken]!.replace(/\t/g, ' ');
    const train = join(out, 'spaced-train.conllu');
    writeFileSync(train, lines.join('\n'));
    const args = (dir: string) => [
      'parse',
      'train',
      '--train',
      train,
      '--out',
      join(out, dir),
      '--epochs',
      '1',
      '--hidden',
      '16',
      '--word-dim',
      '8',
      '--tagger-epochs',
      '0',
      '--quiet',
    ];
    const strict = cliRun(args('strict-model'));
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(
      new RegExp(`^lab: ${train}: line ${broken + 1}: .*separated by spaces, not tabs`),
    );
    const lenient = cliRun([...args('lenient-model'), '--lenient']);
    expect(lenient.status, lenient.stderr).toBe(0);
    expect(lenient.stderr).toMatch(
      new RegExp(`warning: ${train}: line ${broken + 1}: .*separated by spaces, not tabs`),
    );
    expect(lenient.stderr).toContain(`${train}: 2 warnings, 1 sentence skipped\n`);
    const summary = JSON.parse(readFileSync(join(out, 'lenient-model', 'training.json'), 'utf8'));
    expect(summary.sentences).toBe(sentences.length - 1);
  });

  it('eval --lenient skips the broken sentences of both files and scores the rest', () => {
    const sentences = parseConllu(readFileSync(ewt('dev'), 'utf8')).slice(0, 5);
    const lines = formatConllu(sentences).split('\n');
    // the first row of the second sentence written with spaces
    const second = lines.flatMap((l, i) => (l.startsWith('1\t') ? [i] : []))[1]!;
    lines[second] = lines[second]!.replace(/\t/g, ' ');
    const file = join(out, 'spaced-gold.conllu');
    writeFileSync(file, lines.join('\n'));
    const strict = cliRun(['parse', 'eval', file, file, '--json']);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(new RegExp(`^lab: ${file}: line ${second + 1}: `));
    const lenient = cliRun(['parse', 'eval', file, file, '--json', '--lenient']);
    expect(lenient.status, lenient.stderr).toBe(0);
    const scores = JSON.parse(lenient.stdout);
    const wordsLeft = sentences.filter((_, i) => i !== 1).reduce((n, s) => n + words(s).length, 0);
    expect([scores.words, scores.uas, scores.las]).toEqual([wordsLeft, 1, 1]);
    expect(lenient.stderr).toContain(`${file}: 2 warnings, 1 sentence skipped\n`);
  });

  it('refuses an input over --max-input-bytes, naming the file (or standard input), its size and the limit', async () => {
    const file = join(out, 'small.txt');
    writeFileSync(file, 'The dog barked.\n'); // 16 bytes
    await expect(run('', { input: file, maxInputBytes: 15 })).rejects.toThrow(
      `${file}: 16 bytes, more than the limit of 15 bytes; --max-input-bytes raises it`,
    );
    await expect(run('The dog barked.\n', { maxInputBytes: 15 })).rejects.toThrow(
      'standard input: more than the limit of 15 bytes; --max-input-bytes raises it',
    );
    expect((await run('', { input: file, maxInputBytes: 16 })).sentences).toBe(1);
    const stdin = cliRun(['parse', '--max-input-bytes', '100'], 'The dog barked.\n'.repeat(10));
    expect([stdin.status, stdin.stdout]).toEqual([1, '']);
    expect(stdin.stderr).toBe(
      'lab: standard input: more than the limit of 100 bytes; --max-input-bytes raises it\n',
    );
    const train = cliRun(['parse', 'train', '--train', ewt('dev'), '--max-input-bytes', '1000']);
    expect(train.status).toBe(1);
    expect(train.stderr).toMatch(
      new RegExp(`^lab: ${ewt('dev')}: [0-9]+ bytes, more than the limit of 1000 bytes; --max-input-bytes`),
    );
    const evalRun = cliRun(['parse', 'eval', ewt('dev'), ewt('dev'), '--max-input-bytes', '1000']);
    expect(evalRun.status).toBe(1);
    expect(evalRun.stderr).toMatch(/more than the limit of 1000 bytes/);
    for (const bad of ['0', '-1', 'abc', '1e12']) {
      const r = cliRun(['parse', '--max-input-bytes', bad], 'Hi.\n');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/--max-input-bytes must be an integer in \[1, 536870888\]/);
    }
  });
});
