// A small, fast, seedable PRNG (mulberry32) whose whole state is one 32-bit integer, so it can be
// checkpointed and resumed exactly. One seed drives initialisation, shuffling, dropout and noise.

export interface RngState {
  readonly state: number;
}

/** fillBernoulli keeps a draw whose top 31 bits are below this (kernels/heap.c's fill_bernoulli too). */
export const bernoulliThreshold = (p: number): number => Math.round(p * 2 ** 31);

export class Rng {
  private s: number;
  constructor(seed: number | RngState = 0) {
    this.s = typeof seed === 'number' ? seed >>> 0 : seed.state >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** A 32-bit integer seed for tfjs random ops (randomNormal, dropout), derived from this stream. */
  seed(): number {
    return Math.floor(this.next() * 2 ** 31);
  }
  /**
   * Fills `out` with `value` with probability p, else 0 (a dropout mask), consuming one draw per
   * element as next() does. Branch-free: a random branch mispredicts on every other element.
   */
  fillBernoulli(out: Float32Array, p: number, value: number): void {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`fillBernoulli: p must be in [0, 1], got ${p}`);
    // compare the draw's top 31 bits with p * 2^31; the sign bit of the difference is the outcome
    const threshold = bernoulliThreshold(p);
    let s = this.s;
    for (let i = 0; i < out.length; i++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = ((((t ^ (t >>> 14)) >>> 1) - threshold) >>> 31) * value;
    }
    this.s = s >>> 0;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
  getState(): RngState {
    return { state: this.s };
  }
  setState(state: RngState): void {
    this.s = state.state >>> 0;
  }
}
