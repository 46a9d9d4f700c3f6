// A copy of a parser configuration that later transitions do not share (a beam item's successors).
import { Configuration } from '../transitions/transitions.js';

export function copyConfiguration(c: Configuration): Configuration {
  const d = new Configuration(c.n);
  d.stack.length = 0;
  d.stack.push(...c.stack);
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
    if (from.length > 0) d.children[i]!.push(...from);
  }
  return d;
}
