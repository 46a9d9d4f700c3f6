import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSharedData } from '@lab/core/testing';
import { describe, expect, it } from 'vitest';
import { parseConllu, words } from '../text/conllu.js';
import { arcEagerCost, arcHybridCost } from './dynamic-oracle.js';
import {
  arcEager,
  arcHybrid,
  Configuration,
  finalize,
  isProjective,
  type Transition,
} from './transitions.js';

const trees = parseConllu(
  readFileSync(join(findSharedData(), 'ud', 'en_ewt', 'en_ewt-ud-dev.conllu'), 'utf8'),
)
  .map((s) => {
    const ws = words(s);
    return { heads: [0, ...ws.map((w) => w.head)], labels: ['', ...ws.map((w) => w.deprel)] };
  })
  .filter((t) => isProjective(t.heads));

function candidates(c: Configuration, gold: { labels: string[] }): Transition[] {
  const out: Transition[] = [{ move: 'shift' }];
  if (c.s(0) > 0)
    out.push({ move: 'left', label: gold.labels[c.s(0)] }, { move: 'right', label: gold.labels[c.s(0)] });
  return out.filter((t) => arcHybrid.isLegal(c, t));
}
const correct = (c: Configuration, gold: number[]) =>
  gold.slice(1).filter((h, i) => c.heads[i + 1] === h).length;

describe('arc-hybrid dynamic oracle on EWT dev', () => {
  it('zero-cost transitions from the start always rebuild the gold tree', () => {
    let seed = 3;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (const t of trees.slice(0, 800)) {
      const c = new Configuration(t.heads.length - 1);
      while (!arcHybrid.isTerminal(c)) {
        const zero = candidates(c, t).filter((x) => arcHybridCost(c, x, t.heads, t.labels) === 0);
        expect(zero.length).toBeGreaterThan(0);
        arcHybrid.apply(c, zero[Math.floor(rand() * zero.length)]!);
      }
      expect(Array.from(c.heads.slice(1))).toEqual(t.heads.slice(1));
    }
  });
  it('after random mistakes, following zero-cost transitions loses exactly the arcs the mistakes cost', () => {
    let seed = 9;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (const t of trees.slice(0, 800)) {
      const n = t.heads.length - 1;
      const c = new Configuration(n);
      let lost = 0;
      while (!arcHybrid.isTerminal(c)) {
        const legal = candidates(c, t);
        const costs = legal.map((x) => arcHybridCost(c, x, t.heads));
        const best = Math.min(...costs);
        // explore: one step in five takes a random legal transition
        const pick = rand() < 0.2 ? Math.floor(rand() * legal.length) : costs.indexOf(best);
        lost += costs[pick]! - best;
        arcHybrid.apply(c, legal[pick]!);
      }
      expect(correct(c, t.heads)).toBe(n - lost);
    }
  });
});

describe('arc-eager dynamic oracle on EWT dev', () => {
  const eagerCandidates = (c: Configuration, gold: { labels: string[] }): Transition[] => {
    const out: Transition[] = [{ move: 'shift' }, { move: 'reduce' }];
    const b0 = c.b(0);
    if (c.s(0) >= 0) out.push({ move: 'left', label: gold.labels[c.s(0)] });
    if (b0 > 0) out.push({ move: 'right', label: gold.labels[b0] });
    return out.filter((t) => arcEager.isLegal(c, t));
  };
  it('zero-cost transitions from the start always rebuild the gold tree, and the static oracle costs nothing', () => {
    let seed = 5;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (const t of trees.slice(0, 800)) {
      const c = new Configuration(t.heads.length - 1);
      while (!arcEager.isTerminal(c)) {
        expect(arcEagerCost(c, arcEager.oracle(c, t.heads, t.labels), t.heads, t.labels)).toBe(0);
        const zero = eagerCandidates(c, t).filter((x) => arcEagerCost(c, x, t.heads, t.labels) === 0);
        expect(zero.length).toBeGreaterThan(0);
        arcEager.apply(c, zero[Math.floor(rand() * zero.length)]!);
      }
      finalize(c);
      expect(Array.from(c.heads.slice(1))).toEqual(t.heads.slice(1));
    }
  });
  it('after random mistakes, zero-cost transitions lose at most the arcs the mistakes cost', () => {
    let seed = 11;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    let exact = 0;
    const sample = trees.slice(0, 800);
    for (const t of sample) {
      const n = t.heads.length - 1;
      const c = new Configuration(n);
      let lost = 0;
      while (!arcEager.isTerminal(c)) {
        const legal = eagerCandidates(c, t);
        const costs = legal.map((x) => arcEagerCost(c, x, t.heads));
        const best = Math.min(...costs);
        expect(best).toBe(0); // a zero-cost transition always exists
        const pick = rand() < 0.2 ? Math.floor(rand() * legal.length) : costs.indexOf(best);
        lost += costs[pick]!;
        arcEager.apply(c, legal[pick]!);
      }
      finalize(c);
      const right = correct(c, t.heads);
      // costs never under-count (a cost may count an arc that finalize() or a later arc still recovers)
      expect(right).toBeGreaterThanOrEqual(n - lost);
      if (right === n - lost) exact++;
    }
    expect(exact / sample.length).toBeGreaterThan(0.6);
  });
});
