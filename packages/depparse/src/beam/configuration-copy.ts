// A copy of a parser configuration that later transitions do not share (a beam item's successors),
// new or written over another configuration of the same sentence (a beam item that was dropped).
import { Configuration } from '../transitions/transitions.js';

export function copyConfiguration(c: Configuration, into?: Configuration): Configuration {
  if (into && into.n !== c.n)
    throw new RangeError(`copying a configuration of ${c.n} words over one of ${into.n}`);
  const d = into ?? new Configuration(c.n);
  d.stack.length = 0;
  for (const s of c.stack) d.stack.push(s);
  d.next = c.next;
  d.heads.set(c.heads);
  d.left1.set(c.left1);
  d.left2.set(c.left2);
  d.right1.set(c.right1);
  d.right2.set(c.right2);
  d.leftCount.set(c.leftCount);
  d.rightCount.set(c.rightCount);
  for (let i = 0; i <= c.n; i++) {
    d.labels[i] = c.labels[i]!;
    const from = c.children[i]!;
    const to = d.children[i]!;
    to.length = 0;
    for (let j = 0; j < from.length; j++) to.push(from[j]!);
  }
  return d;
}
