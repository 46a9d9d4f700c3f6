// W4's model load: the shipped parser and tagger read as `lab parse` reads a model directory, with the
// training settings of training.json, and freed on dispose (the timed passes are the benchmark).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { shippedModel } from './depparse.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('shippedModel', () => {
  it('loads the parser and tagger with the settings training.json records, and frees them', () => {
    const before = tf.memory().numTensors;
    const m = shippedModel();
    const recorded = JSON.parse(readFileSync(join(m.dir, 'training.json'), 'utf8')).options;
    expect(m.training).toEqual({
      wordDropout: recorded.wordDropout,
      batchSize: recorded.batchSize,
      optimizer: recorded.optimizer,
    });
    expect(m.parser.config.system).toBe(recorded.system);
    expect(m.parser.config.net.hidden).toEqual(recorded.hidden);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    m.parser.dispose();
    m.tagger.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
