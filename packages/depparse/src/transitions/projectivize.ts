// Pseudo-projective parsing (Nivre & Nilsson 2005), Head encoding: non-projective arcs are lifted to
// the grandparent, shortest first, until the tree is projective; a lifted arc's label becomes
// "label|headLabel" (the label of its original head), which deprojectivize() uses to find the head
// again by a breadth-first search below the new head.

const SEP = '|';

/** Whether arc (h, d) is projective: every token between them descends from h. */
function arcIsProjective(heads: ArrayLike<number>, d: number): boolean {
  const h = heads[d]!;
  const [lo, hi] = h < d ? [h, d] : [d, h];
  for (let k = lo + 1; k < hi; k++) {
    let a = k;
    let steps = 0;
    while (a !== h && a !== 0 && steps++ <= heads.length) a = heads[a]!;
    if (a !== h) return false;
  }
  return true;
}

/** Lifts non-projective arcs; returns new heads and labels (index 0 unused) and how many lifts were made. */
export function projectivize(
  heads: ArrayLike<number>,
  labels: ArrayLike<string>,
): { heads: number[]; labels: string[]; lifts: number } {
  const h = Array.from(heads);
  const l = Array.from(labels);
  const lifted = new Array<boolean>(h.length).fill(false);
  let lifts = 0;
  for (;;) {
    let pick = -1;
    let shortest = Number.POSITIVE_INFINITY;
    for (let d = 1; d < h.length; d++) {
      if (arcIsProjective(h, d)) continue;
      const len = Math.abs(h[d]! - d);
      if (len < shortest) [pick, shortest] = [d, len];
    }
    if (pick < 0) break;
    const parent = h[pick]!;
    if (parent === 0) throw new Error('projectivize: a root arc cannot be non-projective');
    if (!lifted[pick]) l[pick] = `${l[pick]}${SEP}${l[parent]}`;
    lifted[pick] = true;
    h[pick] = h[parent]!;
    lifts++;
    if (lifts > h.length * h.length) throw new Error('projectivize: no progress');
  }
  return { heads: h, labels: l, lifts };
}

/** Undoes the Head encoding: reattaches each "label|headLabel" token below its current head. */
export function deprojectivize(
  heads: ArrayLike<number>,
  labels: ArrayLike<string>,
): { heads: number[]; labels: string[] } {
  const h = Array.from(heads);
  const l = Array.from(labels);
  const n = h.length - 1;
  for (let d = 1; d <= n; d++) {
    const i = l[d]!.indexOf(SEP);
    if (i < 0) continue;
    const wanted = l[d]!.slice(i + SEP.length);
    l[d] = l[d]!.slice(0, i);
    // breadth-first below the current head, left to right, skipping d's own subtree
    const queue = [h[d]!];
    let found = -1;
    while (queue.length && found < 0) {
      const x = queue.shift()!;
      for (let k = 1; k <= n; k++) {
        if (h[k] !== x || k === d) continue;
        if (l[k] === wanted || l[k]!.startsWith(`${wanted}${SEP}`)) {
          found = k;
          break;
        }
        queue.push(k);
      }
    }
    if (found > 0) h[d] = found;
  }
  return { heads: h, labels: l };
}
