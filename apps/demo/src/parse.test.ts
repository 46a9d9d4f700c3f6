// The parser panel's loading in Node: the shipped model's files fetched (answered here from the
// package's directory), a missing file named by its URL, and text tagged
// and parsed into one tree per line (arcLayout has arc-layout.test.ts; the drawing runs in Chromium).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { initBackend } from '@lab/core';
import { PARSER_FILES, TAGGER_FILES, words } from '@lab/depparse';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadShippedModel, parseText } from './parse.js';

const modelDir = dirname(
  createRequire(import.meta.url).resolve(`@lab/depparse/models/en_ewt/${PARSER_FILES.vocab}`),
);
const fetched: string[] = [];

/** fetch from the model directory; `missing` files answer 404. */
function serveModel(missing: string[] = []) {
  vi.stubGlobal('fetch', async (url: string) => {
    fetched.push(url);
    const name = url.slice(url.lastIndexOf('/') + 1);
    const path = join(modelDir, name);
    if (missing.includes(name) || !existsSync(path)) return new Response(null, { status: 404 });
    return new Response(readFileSync(path) as BodyInit, { status: 200 });
  });
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});
afterEach(() => {
  vi.unstubAllGlobals();
  fetched.length = 0;
});

describe('loadShippedModel', () => {
  it('names the URL of a file that is not there', async () => {
    serveModel([PARSER_FILES.vocab]);
    await expect(loadShippedModel('/m/')).rejects.toThrow(`/m/${PARSER_FILES.vocab}: HTTP 404`);
  });

  it('fetches every file of the parser and the tagger, and parses text line by line', async () => {
    serveModel();
    const before = tf.memory().numTensors;
    const model = await loadShippedModel('/m/');
    expect(fetched.sort()).toEqual(
      [PARSER_FILES, TAGGER_FILES]
        .flatMap((n) => [n.weights, n.vocab, n.config].map((f) => `/m/${f}`))
        .sort(),
    );
    const parsed = parseText(model, 'The cat sat on the mat .\nDogs bark .\n');
    expect(parsed).toHaveLength(2);
    const [first, second] = parsed.map(words);
    expect(first!.map((w) => w.form)).toEqual(['The', 'cat', 'sat', 'on', 'the', 'mat', '.']);
    expect(second!.map((w) => w.form)).toEqual(['Dogs', 'bark', '.']);
    for (const ws of [first!, second!]) {
      expect(ws.filter((w) => w.head === 0)).toHaveLength(1);
      expect(ws.every((w) => w.head >= 0 && w.head <= ws.length && w.upos !== '_')).toBe(true);
    }
    model.parser.dispose();
    model.tagger.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
