// Chen & Manning's precomputation trick: the first hidden layer is a sum over feature positions of
// embedding(id) . W1[position block], so for frequent ids those products are computed once and
// parsing adds table rows instead of multiplying by W1. Words beyond the `topWords` most frequent are
// multiplied on the fly; tags and labels are always tabled (their vocabularies are small). It runs in
// one of two paths behind one interface: the WASM SIMD kernel (kernel-scorer.ts) where it can, else JS
// and tfjs (js-scorer.ts); precompute-tables.ts has what they share.
import type { FeatureBuffers, SentenceIds } from '../model/features.js';
import type { ParserNet } from '../model/model.js';
import { JsPrecomputedScorer } from './js-scorer.js';
import { KernelPrecomputedScorer } from './kernel-scorer.js';
import { TableSumKernel, wasmSimdSupported } from './kernels/table-sum.js';
import { firstLayerTables, type PrecomputedPath, type RowScorer } from './precompute-tables.js';

// The kernel path reads one (UPOS, XPOS) pair row per token position instead of one row of each. All
// pairs are tabled when they are few (20 x 52 EWT tags: 21 MB); with XPOS+FEATS tags (338) that would
// be 138 MB, though EWT train has only 395 distinct pairs: then pairs get rows as they occur, up to
// MAX_TAG_PAIRS, and past that the scorer reads UPOS and XPOS rows separately.
const MAX_TAG_PAIRS = 2048;
// Words past the tabled ones get a row per (word, position) the first time the pair occurs, kept in
// up to this many bytes: a rare word fills each position over several transitions and sentences, and
// multiplying its embedding by W1's block (dw x H) every time was most of its cost (30% of parsing
// with a vocabulary extended by pretrained vectors). Past the budget, pairs are multiplied as they come.
const RARE_CACHE_BYTES = 32 << 20;

export interface PrecomputedScorerOptions {
  /** A context encoder's convolutions in the kernel (default) or in tfjs (the reference). */
  useContextKernel?: boolean;
  topWords?: number;
  useKernel?: boolean;
  /** Rows for (UPOS, XPOS) pairs (each 20 x H floats); past them UPOS and XPOS rows are read apart. */
  maxTagPairs?: number;
  /** Rows kept for rare (word, position) products; default: as many as 32 MB hold. */
  rareCacheRows?: number;
}

/** The kernel path where WASM SIMD runs and the first layer's width is a multiple of 4, else JS. */
export function precomputedPath(
  net: ParserNet,
  {
    topWords = 5000,
    useKernel = true,
    maxTagPairs = MAX_TAG_PAIRS,
    rareCacheRows,
    useContextKernel = true,
  }: PrecomputedScorerOptions = {},
): PrecomputedPath {
  const H = net.config.hidden[0]!;
  if (H % 4 === 0 && useKernel && wasmSimdSupported())
    // the kernel builds the word rows as (word, position) pairs first occur (a parse of EWT test
    // meets 34k of the 90k rows of the 5,000 tabled words: building them all was most of a cold parse)
    return new KernelPrecomputedScorer(net, new TableSumKernel(), {
      topWords,
      maxTagPairs,
      rareCacheRows: rareCacheRows ?? RARE_CACHE_BYTES / (4 * H),
      useContextKernel,
    });
  return new JsPrecomputedScorer(net, firstLayerTables(net, topWords));
}

export class PrecomputedScorer {
  private readonly path: PrecomputedPath;

  constructor(net: ParserNet, options: PrecomputedScorerOptions = {}) {
    this.path = precomputedPath(net, options);
  }

  /** Bytes held by the tables (memory cost of the trick). */
  get bytes(): number {
    return this.path.bytes;
  }

  /** First hidden layer (after the activation) for `rows` feature rows, into a [rows, H] array. */
  hidden(f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array {
    return this.path.hidden(f, rows, slots);
  }

  /**
   * Scores of `rows` feature rows ([rows, transitions]; a view that the next call overwrites). A net
   * with a context encoder scores rows of the given batch of sentences (`slots[r]`: row r's sentence).
   */
  scorer(batch?: readonly SentenceIds[]): RowScorer {
    const path = this.path;
    if (path.hasContext) {
      if (!batch) throw new Error('a parser with a context encoder scores a given batch of sentences');
      path.prepareContext(batch);
    }
    return (f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array => {
      if (path.hasContext && !slots)
        throw new Error("a parser with a context encoder needs the rows' sentence slots");
      return path.score(f, rows, slots);
    };
  }

  dispose(): void {
    this.path.dispose();
  }
}
