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

/**
 * The dynamic oracle for arc-eager (Goldberg & Nivre 2012): gold arcs that `t` makes unreachable.
 * Arcs can only join s0 and b0, so a word on the stack without its head can still get it only from
 * the buffer, and a buffer word can still take heads and dependents from the stack (while they lack
 * a head) and from the buffer.
 */
export function arcEagerCost(
  c: Configuration,
  t: Transition,
  gold: ArrayLike<number>,
  goldLabels?: ArrayLike<string>,
): number {
  const s0 = c.s(0);
  const b0 = c.b(0);
  const inBuffer = (x: number) => b0 > 0 && x >= b0 && x <= c.n;
  // a stack word can still head b0: the words above it can all be removed first (reduced when they
  // have a head, left-arced from b0 when not); the root only while it has no dependent
  const reachableInStack = (h: number) => c.stack.includes(h) && (h > 0 || c.rootChildren() === 0);
  let cost = 0;
  if (t.move === 'left') {
    // s0 <- b0, s0 popped: its head further in the buffer and its dependents in the buffer are lost
    if (gold[s0] !== b0 && inBuffer(gold[s0]!)) cost++;
    for (let k = b0; k <= c.n; k++) if (gold[k] === s0) cost++;
    if (goldLabels && gold[s0] === b0 && goldLabels[s0] !== t.label) cost++;
  } else if (t.move === 'right') {
    // s0 -> b0, b0 pushed: b0's other reachable heads and its headless dependents on the stack are lost
    const h = gold[b0]!;
    if (h !== s0 && (inBuffer(h) || reachableInStack(h))) cost++;
    for (const k of c.stack) if (k > 0 && gold[k] === b0 && c.heads[k] === -1) cost++;
    // the root takes one dependent: a wrong one loses the gold root word still in the buffer
    if (s0 === 0 && h !== 0) for (let k = b0 + 1; k <= c.n; k++) if (gold[k] === 0) cost++;
    if (goldLabels && h === s0 && goldLabels[b0] !== t.label) cost++;
  } else if (t.move === 'reduce') {
    // s0 popped: its dependents still in the buffer are lost
    for (let k = b0 > 0 ? b0 : c.n + 1; k <= c.n; k++) if (gold[k] === s0) cost++;
  } else {
    // b0 pushed: its head and its headless dependents on the stack are lost
    if (reachableInStack(gold[b0]!)) cost++;
    for (const k of c.stack) if (k > 0 && gold[k] === b0 && c.heads[k] === -1) cost++;
  }
  return cost;
}

/** The dynamic oracle of a transition system, where there is one. */
export function dynamicOracle(system: 'arc-hybrid' | 'arc-eager' | string) {
  if (system === 'arc-hybrid') return arcHybridCost;
  if (system === 'arc-eager') return arcEagerCost;
  return undefined;
}
