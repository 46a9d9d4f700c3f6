// Vocabularies: strings to dense ids with reserved NULL (no token at a feature position), UNK
// (unknown) and ROOT ids, built from training data with a frequency cut-off.

export const NULL_ID = 0;
export const UNK_ID = 1;
export const ROOT_ID = 2;
const RESERVED = ['<null>', '<unk>', '<root>'];

/** Word form normalisation: lowercase, digits to 0 (so "1984" and "2001" share an embedding). */
export function normalizeWord(form: string): string {
  return form.toLowerCase().replace(/[0-9]/g, '0');
}

export class Vocabulary {
  /** The items of the reserved ids 0, 1, 2. */
  static readonly RESERVED: readonly string[] = RESERVED;
  private readonly index = new Map<string, number>();
  readonly items: string[];
  /** Training frequency of each id (0 for reserved ids and for words that training never saw). */
  readonly counts: number[];

  constructor(items: readonly string[], counts?: readonly number[]) {
    this.items = [...RESERVED];
    this.counts = [0, 0, 0];
    items.forEach((it, i) => {
      if (this.index.has(it) || RESERVED.includes(it)) return;
      this.index.set(it, this.items.length);
      this.items.push(it);
      this.counts.push(counts?.[i] ?? 0);
    });
    RESERVED.forEach((r, i) => {
      this.index.set(r, i);
    });
  }

  /** Items seen at least `minCount` times, most frequent first (ties in first-seen order). */
  static build(stream: Iterable<string>, minCount = 1): Vocabulary {
    const freq = new Map<string, number>();
    for (const s of stream) freq.set(s, (freq.get(s) ?? 0) + 1);
    const kept = [...freq.entries()].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1]);
    return new Vocabulary(
      kept.map(([s]) => s),
      kept.map(([, c]) => c),
    );
  }

  /**
   * This vocabulary plus the `items` it lacks, appended in their order; `counted` (the training
   * stream) gives their counts, so frequency-dependent treatment such as word dropout stays right.
   */
  extend(items: Iterable<string>, counted: Iterable<string> = []): Vocabulary {
    const added = [...items].filter((it) => !this.has(it));
    if (added.length === 0) return this;
    const wanted = new Set(added);
    const freq = new Map<string, number>();
    for (const s of counted) if (wanted.has(s)) freq.set(s, (freq.get(s) ?? 0) + 1);
    const own = this.toJSON();
    return new Vocabulary([...own.items, ...added], [...own.counts, ...added.map((it) => freq.get(it) ?? 0)]);
  }

  get size(): number {
    return this.items.length;
  }
  id(item: string): number {
    return this.index.get(item) ?? UNK_ID;
  }
  has(item: string): boolean {
    return this.index.has(item);
  }
  toJSON(): { items: string[]; counts: number[] } {
    return { items: this.items.slice(RESERVED.length), counts: this.counts.slice(RESERVED.length) };
  }
  static fromJSON(j: { items: string[]; counts?: number[] }): Vocabulary {
    if (!Array.isArray(j?.items) || !j.items.every((it) => typeof it === 'string'))
      throw new Error('vocabulary JSON needs an items array of strings');
    return new Vocabulary(j.items, j.counts);
  }
}
