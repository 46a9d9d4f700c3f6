import { describe, expect, it } from 'vitest';
import { dependentOf, TransitionSet } from './transition-set.js';
import { Configuration, SYSTEMS, type SystemName, type Transition } from './transitions.js';

describe('TransitionSet', () => {
  it('has shift (and reduce for arc-eager) then a left and a right arc per label', () => {
    const standard = new TransitionSet('arc-standard', ['nsubj', 'obj']);
    expect(standard.size).toBe(5);
    expect(standard.items).toEqual([
      { move: 'shift' },
      { move: 'left', label: 'nsubj' },
      { move: 'right', label: 'nsubj' },
      { move: 'left', label: 'obj' },
      { move: 'right', label: 'obj' },
    ]);
    const eager = new TransitionSet('arc-eager', ['nsubj']);
    expect(eager.items.map((t) => t.move)).toEqual(['shift', 'reduce', 'left', 'right']);
  });

  it('maps each transition to its class index and unknown labels or moves to -1', () => {
    const set = new TransitionSet('arc-eager', ['nsubj', 'obj']);
    set.items.forEach((t, i) => {
      expect(set.id(t)).toBe(i);
    });
    expect(set.id({ move: 'left', label: 'amod' })).toBe(-1);
    expect(new TransitionSet('arc-hybrid', ['obj']).id({ move: 'reduce' })).toBe(-1);
    // labels that look like keys of a record are ordinary labels
    expect(new TransitionSet('arc-hybrid', ['constructor']).id({ move: 'left', label: 'constructor' })).toBe(
      1,
    );
    expect(new TransitionSet('arc-hybrid', []).id({ move: 'left', label: 'constructor' })).toBe(-1);
  });
});

describe('dependentOf', () => {
  it.each(Object.keys(SYSTEMS) as SystemName[])(
    '%s: names the token that the arc then gives a head, and -1 for the other moves',
    (name) => {
      const system = SYSTEMS[name];
      const moves: Transition[] = [
        { move: 'shift' },
        { move: 'reduce' },
        { move: 'left', label: 'x' },
        { move: 'right', label: 'x' },
      ];
      let arcs = 0;
      // every configuration reached by shifting 0-3 tokens of a 4-word sentence, then each legal move
      for (let shifts = 0; shifts <= 3; shifts++) {
        for (const t of moves) {
          const c = new Configuration(4);
          for (let k = 0; k < shifts; k++) system.apply(c, { move: 'shift' });
          if (!system.isLegal(c, t)) continue;
          const predicted = dependentOf(system, c, t);
          const before = Array.from(c.heads);
          system.apply(c, t);
          const changed = before.flatMap((h, i) => (c.heads[i] !== h ? [i] : []));
          if (t.move === 'left' || t.move === 'right') {
            expect(changed).toEqual([predicted]);
            arcs++;
          } else {
            expect(predicted).toBe(-1);
            expect(changed).toEqual([]);
          }
        }
      }
      expect(arcs).toBeGreaterThan(2);
    },
  );
});
