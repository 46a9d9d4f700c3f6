// CoNLL-U (https://universaldependencies.org/format.html): read and write all ten columns, keeping
// comments, multiword-token ranges (1-2) and empty nodes (5.1) so that files round-trip byte for byte.

export interface ConlluWord {
  /** "3", or "1-2" for a multiword token, or "5.1" for an empty node. */
  id: string;
  form: string;
  lemma: string;
  upos: string;
  xpos: string;
  feats: string;
  /** Head index (0 = root); -1 for multiword tokens and empty nodes, whose HEAD is "_". */
  head: number;
  deprel: string;
  deps: string;
  misc: string;
  kind: 'word' | 'multiword' | 'empty';
  /** HEAD column as written (kept verbatim so that writing is exact). */
  headText: string;
}

export interface ConlluSentence {
  comments: string[];
  /** Every row in file order, syntactic words and the rest. */
  rows: ConlluWord[];
  /** First line of the sentence in its file (1-based). */
  line: number;
}

export class ConlluError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ConlluError';
  }
}

export interface ParseOptions {
  /** Lenient mode records problems in `warnings` instead of throwing. Default false. */
  lenient?: boolean;
  warnings?: ConlluError[];
  /** Line number of the text's first line minus one (for blocks cut from a larger file). */
  lineOffset?: number;
}

/** The syntactic words of a sentence (no multiword ranges, no empty nodes). */
export function words(sentence: ConlluSentence): ConlluWord[] {
  return sentence.rows.filter((r) => r.kind === 'word');
}

function parseRow(line: string, lineNo: number): ConlluWord {
  const cols = line.split('\t');
  if (cols.length !== 10)
    throw new ConlluError(`expected 10 tab-separated columns, found ${cols.length}`, lineNo);
  const [id, form, lemma, upos, xpos, feats, headText, deprel, deps, misc] = cols as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const kind = id.includes('-') ? 'multiword' : id.includes('.') ? 'empty' : 'word';
  let head = -1;
  if (kind === 'word') {
    if (!/^\d+$/.test(id) || id === '0') throw new ConlluError(`bad ID ${JSON.stringify(id)}`, lineNo);
    if (!/^\d+$/.test(headText))
      throw new ConlluError(`bad HEAD ${JSON.stringify(headText)} for word ${id}`, lineNo);
    head = Number(headText);
  }
  return { id, form, lemma, upos, xpos, feats, head, deprel, deps, misc, kind, headText };
}

function validate(s: ConlluSentence): void {
  const ws = words(s);
  ws.forEach((w, i) => {
    if (Number(w.id) !== i + 1)
      throw new ConlluError(`word IDs must run 1..n, found ${w.id} at position ${i + 1}`, s.line);
    if (w.head > ws.length)
      throw new ConlluError(
        `HEAD ${w.head} of word ${w.id} is beyond the sentence (${ws.length} words)`,
        s.line,
      );
  });
  const roots = ws.filter((w) => w.head === 0).length;
  if (roots !== 1)
    throw new ConlluError(roots === 0 ? 'no root (HEAD 0)' : `${roots} roots (HEAD 0)`, s.line);
  // every word must reach the root: no cycles
  for (const start of ws) {
    let cur = start;
    for (let steps = 0; cur.head !== 0; steps++) {
      if (steps > ws.length) throw new ConlluError(`cycle through word ${start.id}`, s.line);
      cur = ws[cur.head - 1]!;
    }
  }
}

/** Parses CoNLL-U text into sentences. Errors carry line numbers. */
export function parseConllu(text: string, options: ParseOptions = {}): ConlluSentence[] {
  const out: ConlluSentence[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let cur: ConlluSentence | undefined;
  const finish = () => {
    if (!cur) return;
    try {
      validate(cur);
      out.push(cur);
    } catch (e) {
      if (!options.lenient || !(e instanceof ConlluError)) throw e;
      options.warnings?.push(e);
      out.push(cur);
    }
    cur = undefined;
  };
  const offset = options.lineOffset ?? 0;
  for (const [i, line] of lines.entries()) {
    const lineNo = offset + i + 1;
    if (line === '') {
      finish();
      continue;
    }
    cur ??= { comments: [], rows: [], line: lineNo };
    if (line.startsWith('#')) {
      if (cur.rows.length > 0) throw new ConlluError('comment line inside a sentence', lineNo);
      cur.comments.push(line);
      continue;
    }
    try {
      cur.rows.push(parseRow(line, lineNo));
    } catch (e) {
      if (!options.lenient || !(e instanceof ConlluError)) throw e;
      options.warnings?.push(e);
    }
  }
  finish();
  return out;
}

/** Writes sentences as CoNLL-U: each sentence, then one blank line. */
export function formatConllu(sentences: readonly ConlluSentence[]): string {
  let s = '';
  for (const sent of sentences) {
    for (const c of sent.comments) s += `${c}\n`;
    for (const r of sent.rows) {
      const head = r.kind === 'word' ? String(r.head) : r.headText;
      s += `${r.id}\t${r.form}\t${r.lemma}\t${r.upos}\t${r.xpos}\t${r.feats}\t${head}\t${r.deprel}\t${r.deps}\t${r.misc}\n`;
    }
    s += '\n';
  }
  return s;
}

/**
 * Streaming reader: sentences one at a time from text chunks of any size (a file stream, fetch body),
 * so that large treebanks never sit in memory whole. Errors carry the file's line numbers.
 */
export async function* readConllu(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: Omit<ParseOptions, 'lineOffset'> = {},
): AsyncGenerator<ConlluSentence> {
  const decoder = new TextDecoder();
  let pending = '';
  let block: string[] = [];
  let blockStart = 1;
  let lineNo = 0;
  const flush = function* () {
    if (block.length === 0) return;
    yield* parseConllu(`${block.join('\n')}\n`, { ...options, lineOffset: blockStart - 1 });
    block = [];
  };
  const take = function* (line: string) {
    lineNo++;
    if (line === '') yield* flush();
    else {
      if (block.length === 0) blockStart = lineNo;
      block.push(line);
    }
  };
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      yield* take(pending.slice(0, nl).replace(/\r$/, ''));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  if (pending) yield* take(pending.replace(/\r$/, ''));
  yield* flush();
}
