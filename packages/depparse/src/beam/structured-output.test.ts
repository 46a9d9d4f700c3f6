// The structured output layer's model file: written beside the parser's files by toFiles and read
// back by fromFiles (config and weights), optional (a model without it loads and parses greedily and
// with a locally normalised beam), and read as hostile input: a file for another net, a foreign kind,
// broken bytes or a NaN weight is a ModelFileError naming the file (and the field).
import { initBackend, ModelFileError, saveModule } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PARSER_FILES, Parser } from '../model/parser.js';
import { tinyStructuredParser } from './structured-fixtures.js';
import {
  readStructuredFile,
  STRUCTURED_KIND,
  StructuredOutput,
  writeStructuredFile,
} from './structured-output.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', fallback: false });
});

function withStructured(): { parser: Parser; weight: Float32Array; bias: Float32Array } {
  const parser = tinyStructuredParser('arc-hybrid', 4);
  const T = parser.transitions.size;
  const weight = Float32Array.from({ length: 16 * T }, (_, i) => Math.sin(i));
  const bias = Float32Array.from({ length: T }, (_, i) => Math.cos(i));
  const s = new StructuredOutput({ training: 'perceptron', hidden: 16, transitions: T, beam: 8 });
  s.assign(weight, bias);
  parser.setStructured(s);
  return { parser, weight, bias };
}

describe('the structured output file', () => {
  it('round-trips beside the parser files, and is optional', () => {
    const { parser, weight, bias } = withStructured();
    const files = parser.toFiles();
    expect(files.structured).toBeInstanceOf(Uint8Array);
    expect(PARSER_FILES.structured).toBe('structured.safetensors');
    const back = Parser.fromFiles(files);
    const s = back.structuredOutput!;
    expect(s.config).toEqual({
      training: 'perceptron',
      hidden: 16,
      transitions: parser.transitions.size,
      beam: 8,
    });
    expect(Array.from(s.output.weight.dataSync())).toEqual(Array.from(weight));
    expect(Array.from(s.output.bias!.dataSync())).toEqual(Array.from(bias));
    const { structured: _, ...plain } = files;
    const without = Parser.fromFiles(plain);
    expect(without.structuredOutput).toBeUndefined();
    expect(without.toFiles().structured).toBeUndefined();
    for (const p of [parser, back, without]) p.dispose();
  });

  it('refuses a file for another net, another kind, broken bytes or a NaN weight, naming file and field', () => {
    const { parser } = withStructured();
    const files = parser.toFiles();
    const T = parser.transitions.size;
    const wider = new StructuredOutput({ training: 'global', hidden: 32, transitions: T, beam: 4 });
    const bad = (structured: Uint8Array) => () =>
      Parser.fromFiles({ ...files, structured }, { structured: 'model/structured.safetensors' });
    expect(bad(writeStructuredFile(wider))).toThrow(ModelFileError);
    expect(bad(writeStructuredFile(wider))).toThrow(
      /model\/structured.safetensors.*lab\.module\.config\.hidden.*is 32, but the parser's net has 16/,
    );
    expect(bad(files.weights)).toThrow(/model\/structured.safetensors/);
    expect(bad(Uint8Array.of(1, 2, 3))).toThrow(/model\/structured.safetensors/);
    const nan = new StructuredOutput({ training: 'perceptron', hidden: 16, transitions: T, beam: 4 });
    nan.assign(new Float32Array(16 * T).fill(Number.NaN), new Float32Array(T));
    expect(bad(writeStructuredFile(nan))).toThrow(/NaN/);
    // a config with a field of its own, or a beam outside 1-64
    const odd = saveModule(
      wider,
      { training: 'perceptron', hidden: 16, transitions: T, beam: 8, extra: 1 },
      STRUCTURED_KIND,
    );
    expect(() => readStructuredFile(odd, 'x.safetensors', { hidden: 16, transitions: T })).toThrow(
      /extra: unknown field/,
    );
    const wide = saveModule(
      wider,
      { training: 'perceptron', hidden: 32, transitions: T, beam: 65 },
      STRUCTURED_KIND,
    );
    expect(() => readStructuredFile(wide, 'x.safetensors', { hidden: 32, transitions: T })).toThrow(/beam/);
    const before = tf.memory().numTensors;
    expect(bad(writeStructuredFile(wider))).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    for (const m of [wider, nan]) m.dispose();
    parser.dispose();
  });
});
