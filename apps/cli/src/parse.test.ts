import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSharedData } from '@lab/core/testing';
import { formatConllu, parseConllu } from '@lab/depparse';
import { afterAll, describe, expect, it } from 'vitest';
import { parseContextOption, parseEval, parseRun, parseTrain } from './parse.js';

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
  }, 120_000);

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
    const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8'));
    expect(config.net.context).toEqual({ dim: 16, layers: 2, width: 3, channels: 8, positions: 2 });
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
  }, 120_000);

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
