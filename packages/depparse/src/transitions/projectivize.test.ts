import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSharedData } from '@lab/core/testing';
import { describe, expect, it } from 'vitest';
import { parseConllu, words } from '../text/conllu.js';
import { deprojectivize, projectivize } from './projectivize.js';
import { arcStandard, isProjective, oracleParse } from './transitions.js';

const trees = parseConllu(
  readFileSync(join(findSharedData(), 'ud', 'en_ewt', 'en_ewt-ud-train.conllu'), 'utf8'),
).map((s) => {
  const ws = words(s);
  return { heads: [0, ...ws.map((w) => w.head)], labels: ['', ...ws.map((w) => w.deprel)] };
});

describe('pseudo-projective parsing on EWT train', () => {
  it('lifts every non-projective tree to a projective one, which the oracle can then build', () => {
    const nonProjective = trees.filter((t) => !isProjective(t.heads));
    expect(nonProjective.length).toBeGreaterThan(100);
    for (const t of nonProjective) {
      const p = projectivize(t.heads, t.labels);
      expect(isProjective(p.heads)).toBe(true);
      expect(p.lifts).toBeGreaterThan(0);
      const { config } = oracleParse(arcStandard, p.heads, p.labels);
      expect(Array.from(config.heads.slice(1))).toEqual(p.heads.slice(1));
    }
  });
  it('leaves projective trees alone and recovers the original non-projective arcs', () => {
    const t = trees.find((x) => isProjective(x.heads))!;
    expect(projectivize(t.heads, t.labels)).toEqual({ heads: t.heads, labels: t.labels, lifts: 0 });
    const nonProjective = trees.filter((x) => !isProjective(x.heads));
    let arcs = 0;
    let recovered = 0;
    for (const x of nonProjective) {
      const p = projectivize(x.heads, x.labels);
      const back = deprojectivize(p.heads, p.labels);
      expect(back.labels).toEqual(x.labels);
      for (let d = 1; d < x.heads.length; d++) {
        arcs++;
        if (back.heads[d] === x.heads[d]) recovered++;
      }
    }
    // the Head encoding is not lossless in every case; Nivre & Nilsson report nearly full recovery
    expect(recovered / arcs).toBeGreaterThan(0.99);
  });
});
