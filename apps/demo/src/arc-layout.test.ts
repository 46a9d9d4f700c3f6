// The arc layout: an arc sits above every arc nested inside its span, and words get room for their labels.
import { describe, expect, it } from 'vitest';
import { arcLayout } from './parse.js';

const w = (form: string, head: number) => ({ form, upos: 'X', head, deprel: 'dep' });

describe('arcLayout', () => {
  it('stacks nested arcs and keeps disjoint ones low', () => {
    // 1 <- 2 -> 3 under a root arc to 2; 4 attached to 2 spans the arcs 2->3
    const { level } = arcLayout([w('a', 2), w('b', 0), w('c', 2), w('d', 2)]);
    expect(level[0]).toBe(1); // 2 -> 1: nothing inside
    expect(level[2]).toBe(1); // 2 -> 3
    expect(level[3]).toBe(2); // 2 -> 4 covers 2 -> 3
    expect(level[1]).toBe(2); // root -> 2 covers 2 -> 1
  });

  it('gives long words more room and grows the width with the sentence', () => {
    const { x, width } = arcLayout([w('a', 0), w('extraordinarily', 1), w('b', 2)]);
    expect(x[1]! - x[0]!).toBe(50); // two short words: the minimum room
    expect(x[2]! - x[1]!).toBe(25 + (8 * 15 + 16) / 2); // half of 'a' plus half of the long word
    expect(width).toBe(50 + 50 + 8 * 15 + 16 + 50);
    const chain = arcLayout(Array.from({ length: 60 }, (_, i) => w('word', i)));
    expect(chain.width).toBeGreaterThan(60 * 50);
    expect(Math.max(...chain.level)).toBe(1); // each word on the one before: short disjoint arcs
    const fan = arcLayout(Array.from({ length: 60 }, () => w('word', 0)));
    expect(Math.max(...fan.level)).toBe(60); // all from ROOT: each arc covers the shorter ones
  });
});
