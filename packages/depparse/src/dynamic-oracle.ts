// The dynamic oracle for arc-hybrid (Goldberg & Nivre 2013): the cost of a transition is the number
// of gold arcs it makes unreachable, so from any configuration (also after mistakes) the zero-cost
// transitions lead to the best tree still reachable. Training with exploration follows them.
import type { Configuration, Transition } from './transitions.js';

/** Gold arcs lost by `t` in `c` (projective gold trees; unlabeled: a wrong label costs 1 extra). */
export function arcHybridCost(
  c: Configuration,
  t: Transition,
  gold: ArrayLike<number>,
  goldLabels?: ArrayLike<string>,
): number {
  const s0 = c.s(0);
  const s1 = c.s(1);
  const b0 = c.b(0);
  const inBufferFrom = (start: number, x: number) => x >= start && x <= c.n && start > 0;
  let cost = 0;
  if (t.move === 'left') {
    // s0 <- b0: s0 loses a head in s1 or the buffer after b0, and its children still in the buffer
    if (gold[s0] === s1 || inBufferFrom(b0 + 1, gold[s0]!)) cost++;
    for (let k = b0; k <= c.n; k++) if (gold[k] === s0) cost++;
    if (goldLabels && gold[s0] === b0 && goldLabels[s0] !== t.label) cost++;
  } else if (t.move === 'right') {
    // s0 <- s1: s0 loses a head in the buffer, and its children still in the buffer
    if (inBufferFrom(b0, gold[s0]!)) cost++;
    if (b0 > 0) for (let k = b0; k <= c.n; k++) if (gold[k] === s0) cost++;
    if (goldLabels && gold[s0] === s1 && goldLabels[s0] !== t.label) cost++;
  } else if (t.move === 'shift') {
    // b0 leaves the buffer: it loses a head below s0 in the stack and its children anywhere in the stack
    for (let i = 0; i < c.stack.length; i++) {
      const k = c.stack[i]!;
      if (k !== s0 && gold[b0] === k) cost++;
      if (k > 0 && gold[k] === b0 && c.heads[k] === -1) cost++;
    }
  } else return Number.POSITIVE_INFINITY;
  return cost;
}
