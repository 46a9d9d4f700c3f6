// The parser's output classes: shift (and reduce for arc-eager) plus a left and a right arc per label.
import type { Configuration, SystemName, Transition, TransitionSystem } from './transitions.js';

export class TransitionSet {
  readonly items: Transition[];
  private readonly index = new Map<string, number>();

  constructor(
    readonly system: SystemName,
    readonly labels: readonly string[],
  ) {
    this.items = [{ move: 'shift' }];
    if (system === 'arc-eager') this.items.push({ move: 'reduce' });
    for (const label of labels) this.items.push({ move: 'left', label }, { move: 'right', label });
    this.items.forEach((t, i) => {
      this.index.set(key(t), i);
    });
  }
  get size(): number {
    return this.items.length;
  }
  /** Class index of a transition; labels outside the set map to -1. */
  id(t: Transition): number {
    return this.index.get(key(t)) ?? -1;
  }
}

const key = (t: Transition) => (t.move === 'left' || t.move === 'right' ? `${t.move}:${t.label}` : t.move);

/** The token that `t` gives a head to in `c` (before it is applied), or -1 for shift and reduce. */
export function dependentOf(system: TransitionSystem, c: Configuration, t: Transition): number {
  if (t.move === 'left') return system.name === 'arc-standard' ? c.s(1) : c.s(0);
  if (t.move === 'right') return system.name === 'arc-eager' ? c.b(0) : c.s(0);
  return -1;
}
