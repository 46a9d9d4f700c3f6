// Averaged perceptron weights over features phi(s, a) = h(s) in the block of transition a, plus a bias
// per transition (Collins 2002; Weiss et al. 2015). The average is that of the weights after every
// training example, kept in O(1) per update by Daume's trick: an update at example c (1-based) also
// adds (c - 1) times itself to a second sum u, and after N examples the average is w - u / N.

export class AveragedPerceptron {
  /** [hidden, transitions], row-major (the shape of the net's output layer). */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  private readonly weightSum: Float64Array;
  private readonly biasSum: Float64Array;
  private seen = 0;

  constructor(
    readonly hidden: number,
    readonly transitions: number,
    initial?: { weight: Float32Array; bias: Float32Array },
  ) {
    this.weight = new Float32Array(hidden * transitions);
    this.bias = new Float32Array(transitions);
    if (initial) {
      if (initial.weight.length !== this.weight.length || initial.bias.length !== transitions)
        throw new RangeError(`initial weights for ${hidden} x ${transitions}, got ${initial.weight.length}`);
      this.weight.set(initial.weight);
      this.bias.set(initial.bias);
    }
    this.weightSum = new Float64Array(hidden * transitions);
    this.biasSum = new Float64Array(transitions);
  }

  /** Training examples seen (each counts once, updated or not). */
  get examples(): number {
    return this.seen;
  }

  /** Starts the next training example (before its update, if it has one). */
  nextExample(): void {
    this.seen++;
  }

  /** Adds `scale` times the features of rows `from..from + count` of `h` ([rows, hidden]) with transitions `ks`. */
  add(h: Float32Array, ks: ArrayLike<number>, from: number, count: number, scale: number): void {
    if (this.seen === 0) throw new Error('nextExample() before the first update');
    const H = this.hidden;
    const T = this.transitions;
    const late = (this.seen - 1) * scale;
    for (let r = from; r < from + count; r++) {
      const k = ks[r]!;
      if (!(k >= 0 && k < T)) throw new RangeError(`transition ${k} outside [0, ${T})`);
      for (let j = 0; j < H; j++) {
        const v = h[r * H + j]!;
        this.weight[j * T + k]! += scale * v;
        this.weightSum[j * T + k]! += late * v;
      }
      this.bias[k]! += scale;
      this.biasSum[k]! += late;
    }
  }

  /** The average of the weights after each example so far (the current ones before any example). */
  averaged(): { weight: Float32Array; bias: Float32Array } {
    const n = this.seen;
    if (n === 0) return { weight: this.weight.slice(), bias: this.bias.slice() };
    return {
      weight: Float32Array.from(this.weight, (w, i) => w - this.weightSum[i]! / n),
      bias: Float32Array.from(this.bias, (b, i) => b - this.biasSum[i]! / n),
    };
  }
}
