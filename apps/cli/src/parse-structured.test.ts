// `lab parse train --structured perceptron|global --beam N`: the options are checked together and
// errors name the option; a perceptron on top of a greedily trained model writes structured.safetensors
// beside the model (the net unchanged), `lab parse --beam` then parses with it, and a model directory
// without the file still loads; global training rewrites the net and writes the file too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSharedData } from '@lab/core/testing';
import { formatConllu, PARSER_FILES, parseConllu } from '@lab/depparse';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, parseRun, parseTrain } from './parse.js';
import { checkStructuredOptions, parseStructuredTrain } from './parse-structured.js';

const ewt = (split: string) => join(findSharedData(), 'ud', 'en_ewt', `en_ewt-ud-${split}.conllu`);
const out = mkdtempSync(join(tmpdir(), 'lab-structured-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const labCli = fileURLToPath(new URL('../dist/lab.js', import.meta.url));
const cliRun = (args: string[]) => spawnSync(process.execPath, [labCli, ...args], { encoding: 'utf8' });

const base = {
  train: ewt('dev'),
  epochs: 1,
  system: 'arc-hybrid' as const,
  hidden: [32],
  activation: 'cube' as const,
  optimizer: 'adam' as const,
  lrSchedule: 'none' as const,
  batchSize: 128,
  wordDim: 16,
  morphology: 'xpos' as const,
  taggerEpochs: 0,
  half: false,
  seed: 1,
  limit: 120,
  backend: 'wasm' as const,
  quiet: true,
};

describe('structured training options', () => {
  it('refuse structured options without --structured, and mismatched ones, naming the option', () => {
    expect(() => checkStructuredOptions({ beam: 8 })).toThrow(/^--beam applies to structured training/);
    expect(() => checkStructuredOptions({ update: 'early' })).toThrow(/^--update applies/);
    expect(() => checkStructuredOptions({ from: 'x' })).toThrow(/^--from applies/);
    expect(() => checkStructuredOptions({ structured: 'crf' })).toThrow(
      /--structured must be perceptron or global/,
    );
    expect(() => checkStructuredOptions({ structured: 'perceptron', structuredLr: 1e-4 })).toThrow(
      /--structured-lr/,
    );
    expect(() => checkStructuredOptions({ structured: 'global', perceptronInit: 'zero' })).toThrow(
      /--perceptron-init/,
    );
    expect(() => checkStructuredOptions({ structured: 'global', from: join(out, 'nothing') })).toThrow(
      /--from .*nothing is not a parser model directory/,
    );
    expect(() => checkStructuredOptions({ structured: 'global', beam: 4 })).not.toThrow();
  });

  it('the lab command exits non-zero naming the bad option', () => {
    const cases: [string[], RegExp][] = [
      [['--structured', 'crf'], /--structured <kind>' argument 'crf' is invalid/],
      [['--structured', 'perceptron', '--beam', '0'], /--beam must be an integer in \[1, 64\]/],
      [['--structured', 'global', '--structured-lr', '-1'], /--structured-lr must be a number/],
      [['--structured', 'global', '--update', 'late'], /--update <rule>' argument 'late' is invalid/],
      [
        ['--structured', 'perceptron', '--sentences-per-step', '0'],
        /--sentences-per-step must be an integer/,
      ],
      [['--beam', '4'], /--beam applies to structured training/],
      [['--update', 'early'], /--update applies to structured training/],
    ];
    for (const [args, message] of cases) {
      const r = cliRun(['parse', 'train', '--train', ewt('dev'), '--quiet', ...args]);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});

describe('structured training end to end', () => {
  it('a perceptron on a greedy model: structured.safetensors beside it, used by lab parse --beam; global after', async () => {
    const greedyDir = join(out, 'greedy');
    await parseTrain({ ...base, out: greedyDir });
    expect(existsSync(join(greedyDir, PARSER_FILES.structured!))).toBe(false);
    const percDir = join(out, 'perceptron');
    const s = await parseStructuredTrain({
      ...base,
      dev: ewt('test'),
      limit: 60,
      out: percDir,
      structured: 'perceptron',
      from: greedyDir,
      beam: 2,
      structuredEpochs: 1,
      sentencesPerStep: 8,
    });
    expect(s.history).toHaveLength(1);
    expect(existsSync(join(percDir, PARSER_FILES.structured!))).toBe(true);
    // the perceptron leaves the net as it was
    expect(readFileSync(join(percDir, PARSER_FILES.weights))).toEqual(
      readFileSync(join(greedyDir, PARSER_FILES.weights)),
    );
    const m = loadModel(percDir);
    expect(m.parser.structuredOutput?.config.training).toBe('perceptron');
    m.parser.dispose();
    const input = formatConllu(parseConllu(readFileSync(ewt('test'), 'utf8')).slice(0, 30));
    const run = {
      format: 'conllu' as const,
      retag: false,
      batchSize: 16,
      backend: 'wasm' as const,
      quiet: true,
    };
    // greedy parses alike with and without the structured layer; the beam of the structured one is its own
    const greedyPlain = await parseRun({ ...run, model: greedyDir }, input);
    const greedyPerc = await parseRun({ ...run, model: percDir }, input);
    expect(greedyPerc.conllu).toBe(greedyPlain.conllu);
    const beamPerc = await parseRun({ ...run, model: percDir, beam: 2 }, input);
    expect(parseConllu(beamPerc.conllu)).toHaveLength(30);
    const globalDir = join(out, 'global');
    const g = await parseStructuredTrain({
      ...base,
      limit: 40,
      out: globalDir,
      structured: 'global',
      from: greedyDir,
      beam: 2,
      sentencesPerStep: 8,
    });
    expect(g.structured).toBe('global');
    expect(readFileSync(join(globalDir, PARSER_FILES.weights))).not.toEqual(
      readFileSync(join(greedyDir, PARSER_FILES.weights)),
    );
    const gm = loadModel(globalDir);
    expect(gm.parser.structuredOutput?.config.training).toBe('global');
    gm.parser.dispose();
  }, 300_000);
});
