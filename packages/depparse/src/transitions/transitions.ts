// Transition systems for dependency parsing: arc-standard (Nivre 2004; Chen & Manning 2014),
// arc-eager (Nivre 2003) and arc-hybrid (Kuhlmann et al. 2011), with static oracles. Tokens are
// 1..n and 0 is the artificial root. Every system only allows transitions that keep the output a
// single-rooted tree, so any sequence of legal transitions ends in a well-formed parse.

export type Move = 'shift' | 'left' | 'right' | 'reduce';
export interface Transition {
  move: Move;
  /** Dependency label, for left and right arcs. */
  label?: string;
}

export type SystemName = 'arc-standard' | 'arc-eager' | 'arc-hybrid';

export class Configuration {
  readonly stack: number[] = [0];
  /** Next buffer token (tokens next..n are in the buffer). */
  next = 1;
  readonly heads: Int32Array;
  readonly labels: string[];
  readonly children: number[][];
  /** Per token: leftmost and second leftmost, rightmost and second rightmost dependent (-1: none). */
  readonly left1: Int32Array;
  readonly left2: Int32Array;
  readonly right1: Int32Array;
  readonly right2: Int32Array;
  /** Per token: number of left and right dependents. */
  readonly leftCount: Int32Array;
  readonly rightCount: Int32Array;
  constructor(readonly n: number) {
    this.heads = new Int32Array(n + 1).fill(-1);
    this.labels = new Array(n + 1).fill('');
    // a plain loop: Array.from with a callback was a tenth of a beam's bookkeeping
    this.children = new Array<number[]>(n + 1);
    for (let i = 0; i <= n; i++) this.children[i] = [];
    this.left1 = new Int32Array(n + 1).fill(-1);
    this.left2 = new Int32Array(n + 1).fill(-1);
    this.right1 = new Int32Array(n + 1).fill(-1);
    this.right2 = new Int32Array(n + 1).fill(-1);
    this.leftCount = new Int32Array(n + 1);
    this.rightCount = new Int32Array(n + 1);
  }
  get bufferEmpty(): boolean {
    return this.next > this.n;
  }
  /** The i-th stack element from the top (0 = top), or -1. */
  s(i: number): number {
    return this.stack[this.stack.length - 1 - i] ?? -1;
  }
  /** The i-th buffer token (0 = front), or -1. */
  b(i: number): number {
    return this.next + i <= this.n ? this.next + i : -1;
  }
  attach(head: number, dep: number, label = ''): void {
    this.heads[dep] = head;
    this.labels[dep] = label;
    this.children[head]!.push(dep);
    // kept up to date here so that feature extraction never scans the children
    if (dep < head) {
      this.leftCount[head]!++;
      const a = this.left1[head]!;
      if (a < 0 || dep < a) {
        this.left2[head] = a;
        this.left1[head] = dep;
      } else if (this.left2[head]! < 0 || dep < this.left2[head]!) this.left2[head] = dep;
    } else {
      this.rightCount[head]!++;
      const a = this.right1[head]!;
      if (dep > a) {
        this.right2[head] = a;
        this.right1[head] = dep;
      } else if (dep > this.right2[head]!) this.right2[head] = dep;
    }
  }
  rootChildren(): number {
    return this.children[0]!.length;
  }
}

export interface TransitionSystem {
  name: SystemName;
  isTerminal(c: Configuration): boolean;
  isLegal(c: Configuration, t: Transition): boolean;
  apply(c: Configuration, t: Transition): void;
  /** The static oracle: the next transition towards `goldHeads` (index 1..n; projective trees only). */
  oracle(c: Configuration, goldHeads: ArrayLike<number>, goldLabels: ArrayLike<string>): Transition;
}

/** Whether every gold dependent of `h` has been attached already. */
function hasAllChildren(c: Configuration, h: number, gold: ArrayLike<number>): boolean {
  let expected = 0;
  for (let d = 1; d <= c.n; d++) if (gold[d] === h) expected++;
  return c.children[h]!.length === expected;
}

export const arcStandard: TransitionSystem = {
  name: 'arc-standard',
  isTerminal: (c) => c.bufferEmpty && c.stack.length === 1,
  isLegal(c, t) {
    const s0 = c.s(0);
    const s1 = c.s(1);
    switch (t.move) {
      case 'shift':
        return !c.bufferEmpty;
      case 'left':
        return c.stack.length > 2; // s1 is a word, never the root
      case 'right':
        // the root takes its single dependent only when nothing else remains
        return c.stack.length > 2 || (s1 === 0 && s0 > 0 && c.bufferEmpty);
      default:
        return false;
    }
  },
  apply(c, t) {
    if (t.move === 'shift') c.stack.push(c.next++);
    else if (t.move === 'left') {
      const s0 = c.stack.pop()!;
      const s1 = c.stack.pop()!;
      c.attach(s0, s1, t.label);
      c.stack.push(s0);
    } else if (t.move === 'right') {
      const s0 = c.stack.pop()!;
      c.attach(c.s(0), s0, t.label);
    } else throw new Error(`arc-standard has no ${t.move} transition`);
  },
  oracle(c, gold, labels) {
    const s0 = c.s(0);
    const s1 = c.s(1);
    if (c.stack.length > 2 && gold[s1] === s0) return { move: 'left', label: labels[s1] };
    if (s1 >= 0 && gold[s0] === s1 && hasAllChildren(c, s0, gold) && this.isLegal(c, { move: 'right' })) {
      return { move: 'right', label: labels[s0] };
    }
    return { move: 'shift' };
  },
};

export const arcHybrid: TransitionSystem = {
  name: 'arc-hybrid',
  isTerminal: (c) => c.bufferEmpty && c.stack.length === 1,
  isLegal(c, t) {
    switch (t.move) {
      case 'shift':
        return !c.bufferEmpty;
      case 'left':
        return c.stack.length > 1 && !c.bufferEmpty; // s0 <- b0, s0 a word
      case 'right':
        return c.stack.length > 2 || (c.stack.length === 2 && c.bufferEmpty); // s1 <- s0 (root only at the end)
      default:
        return false;
    }
  },
  apply(c, t) {
    if (t.move === 'shift') c.stack.push(c.next++);
    else if (t.move === 'left') c.attach(c.next, c.stack.pop()!, t.label);
    else if (t.move === 'right') {
      const s0 = c.stack.pop()!;
      c.attach(c.s(0), s0, t.label);
    } else throw new Error(`arc-hybrid has no ${t.move} transition`);
  },
  oracle(c, gold, labels) {
    const s0 = c.s(0);
    const s1 = c.s(1);
    const b0 = c.b(0);
    if (s0 > 0 && b0 > 0 && gold[s0] === b0 && hasAllChildren(c, s0, gold))
      return { move: 'left', label: labels[s0] };
    if (s0 > 0 && gold[s0] === s1 && hasAllChildren(c, s0, gold) && this.isLegal(c, { move: 'right' })) {
      return { move: 'right', label: labels[s0] };
    }
    return { move: 'shift' };
  },
};

export const arcEager: TransitionSystem = {
  name: 'arc-eager',
  // ends with an empty buffer; words left on the stack without a head are attached by finalize()
  isTerminal: (c) => c.bufferEmpty,
  isLegal(c, t) {
    const s0 = c.s(0);
    switch (t.move) {
      case 'shift':
        return !c.bufferEmpty;
      case 'left':
        return !c.bufferEmpty && s0 > 0 && c.heads[s0] === -1;
      case 'right':
        // one root dependent only
        return !c.bufferEmpty && (s0 > 0 || c.rootChildren() === 0);
      case 'reduce':
        return s0 > 0 && c.heads[s0] !== -1;
      default:
        return false;
    }
  },
  apply(c, t) {
    if (t.move === 'shift') c.stack.push(c.next++);
    else if (t.move === 'left') c.attach(c.next, c.stack.pop()!, t.label);
    else if (t.move === 'right') {
      c.attach(c.s(0), c.next, t.label);
      c.stack.push(c.next++);
    } else c.stack.pop();
  },
  oracle(c, gold, labels) {
    const s0 = c.s(0);
    const b0 = c.b(0);
    if (b0 > 0 && s0 > 0 && gold[s0] === b0) return { move: 'left', label: labels[s0] };
    if (b0 > 0 && s0 >= 0 && gold[b0] === s0) return { move: 'right', label: labels[b0] };
    // reduce s0 once b0 has a head or a dependent deeper in the stack
    if (s0 > 0 && c.heads[s0] !== -1 && b0 > 0) {
      for (const k of c.stack) if (k !== s0 && (gold[b0] === k || gold[k] === b0)) return { move: 'reduce' };
    }
    return { move: 'shift' };
  },
};

export const SYSTEMS: Record<SystemName, TransitionSystem> = {
  'arc-standard': arcStandard,
  'arc-eager': arcEager,
  'arc-hybrid': arcHybrid,
};

/** Attaches words left without a head to the root's dependent (or the root), so the tree is complete and single-rooted. */
export function finalize(c: Configuration, rootLabel = 'root', fallbackLabel = 'dep'): void {
  let root = c.children[0]![0];
  for (let d = 1; d <= c.n; d++) {
    if (c.heads[d] !== -1) continue;
    if (root === undefined) {
      c.attach(0, d, rootLabel);
      root = d;
    } else c.attach(root, d, fallbackLabel);
  }
}

/** Whether the tree (heads[1..n], 0 = root) has no crossing arcs. */
export function isProjective(heads: ArrayLike<number>): boolean {
  const n = heads.length - 1;
  for (let d = 1; d <= n; d++) {
    const h = heads[d]!;
    const [lo, hi] = h < d ? [h, d] : [d, h];
    for (let k = lo + 1; k < hi; k++) {
      // every token between h and d must descend from h
      let a = k;
      while (a !== h && a !== 0) a = heads[a]!;
      if (a !== h) return false;
    }
  }
  return true;
}

/** Runs the static oracle from the initial configuration; returns the transitions and the tree they build. */
export function oracleParse(
  system: TransitionSystem,
  goldHeads: ArrayLike<number>,
  goldLabels: ArrayLike<string>,
): { transitions: Transition[]; config: Configuration } {
  const c = new Configuration(goldHeads.length - 1);
  const transitions: Transition[] = [];
  while (!system.isTerminal(c)) {
    const t = system.oracle(c, goldHeads, goldLabels);
    if (!system.isLegal(c, t)) throw new Error(`${system.name}: oracle chose an illegal ${t.move}`);
    system.apply(c, t);
    transitions.push(t);
    if (transitions.length > 4 * c.n + 4) throw new Error(`${system.name}: oracle does not terminate`);
  }
  if (system.name === 'arc-eager') finalize(c);
  return { transitions, config: c };
}
