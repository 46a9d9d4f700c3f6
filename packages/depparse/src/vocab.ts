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
  private readonly index = new Map<string, number>();
  readonly items: string[];
  /** Training frequency of each id (0 for reserved ids and words added from pretrained vectors only). */
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
    if (!Array.isArray(j?.items)) throw new Error('vocabulary JSON needs an items array');
    return new Vocabulary(j.items, j.counts);
  }
}
