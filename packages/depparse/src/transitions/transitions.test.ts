import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSharedData } from '@lab/core/testing';
import { describe, expect, it } from 'vitest';
import { parseConllu, words } from '../text/conllu.js';
import {
  arcEager,
  arcHybrid,
  arcStandard,
  Configuration,
  finalize,
  isProjective,
  oracleParse,
  SYSTEMS,
  type Transition,
} from './transitions.js';

const sentences = parseConllu(
  readFileSync(join(findSharedData(), 'ud', 'en_ewt', 'en_ewt-ud-train.conllu'), 'utf8'),
);
const trees = sentences.map((s) => {
  const ws = words(s);
  return { heads: [0, ...ws.map((w) => w.head)], labels: ['', ...ws.map((w) => w.deprel)] };
});

describe('transition systems on UD English EWT train', () => {
  it('projectivity: most EWT trees are projective, a crossing tree is not', () => {
    const projective = trees.filter((t) => isProjective(t.heads)).length;
    expect(projective / trees.length).toBeGreaterThan(0.9);
    expect(projective).toBeLessThan(trees.length);
    expect(isProjective([0, 3, 0, 2, 1])).toBe(false);
    expect(isProjective([0, 2, 0, 2])).toBe(true);
  });
  it.each(Object.keys(SYSTEMS))(
    '%s: the static oracle rebuilds every projective tree exactly, labels included',
    (name) => {
      const system = SYSTEMS[name as keyof typeof SYSTEMS];
      let checked = 0;
      for (const t of trees) {
        if (!isProjective(t.heads)) continue;
        const { config, transitions } = oracleParse(system, t.heads, t.labels);
        expect(Array.from(config.heads.slice(1))).toEqual(t.heads.slice(1));
        expect(config.labels.slice(1)).toEqual(t.labels.slice(1));
        const n = t.heads.length - 1;
        expect(transitions.length).toBeLessThanOrEqual(2 * n + 1);
        checked++;
      }
      expect(checked).toBeGreaterThan(10000);
    },
  );
  it.each(Object.keys(SYSTEMS))(
    '%s: any sequence of legal transitions ends in one well-formed single-rooted tree',
    (name) => {
      const system = SYSTEMS[name as keyof typeof SYSTEMS];
      let seed = 1;
      const rand = () => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed / 2 ** 32;
      };
      const moves: Transition[] = [
        { move: 'shift' },
        { move: 'left', label: 'x' },
        { move: 'right', label: 'y' },
        { move: 'reduce' },
      ];
      for (let trial = 0; trial < 300; trial++) {
        const n = 1 + Math.floor(rand() * 12);
        const c = new Configuration(n);
        while (!system.isTerminal(c)) {
          const legal = moves.filter((m) => system.isLegal(c, m));
          expect(legal.length, 'a non-terminal configuration must allow a transition').toBeGreaterThan(0);
          system.apply(c, legal[Math.floor(rand() * legal.length)]!);
        }
        finalize(c);
        const heads = Array.from(c.heads);
        expect(heads.slice(1).every((h) => h >= 0 && h <= n)).toBe(true);
        expect(heads.slice(1).filter((h) => h === 0)).toHaveLength(1);
        for (let d = 1; d <= n; d++) {
          let a = d;
          for (let steps = 0; a !== 0; steps++) {
            expect(steps).toBeLessThanOrEqual(n);
            a = heads[a]!;
          }
        }
      }
    },
  );
});

describe('the configuration keeps its dependents in order', () => {
  it('leftmost/rightmost (first, second) dependents and counts match a scan of the children', () => {
    let seed = 17;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const moves: Transition[] = [
      { move: 'shift' },
      { move: 'left', label: 'a' },
      { move: 'right', label: 'b' },
      { move: 'reduce' },
    ];
    for (const system of [arcStandard, arcEager, arcHybrid]) {
      for (let trial = 0; trial < 200; trial++) {
        const c = new Configuration(1 + Math.floor(rand() * 15));
        while (!system.isTerminal(c)) {
          const legal = moves.filter((t) => system.isLegal(c, t));
          system.apply(c, legal[Math.floor(rand() * legal.length)]!);
          for (let h = 0; h <= c.n; h++) {
            const left = c.children[h]!.filter((k) => k < h).sort((a, b) => a - b);
            const right = c.children[h]!.filter((k) => k > h).sort((a, b) => b - a);
            expect([c.left1[h], c.left2[h], c.leftCount[h]]).toEqual([
              left[0] ?? -1,
              left[1] ?? -1,
              left.length,
            ]);
            expect([c.right1[h], c.right2[h], c.rightCount[h]]).toEqual([
              right[0] ?? -1,
              right[1] ?? -1,
              right.length,
            ]);
          }
        }
      }
    }
  });
});
