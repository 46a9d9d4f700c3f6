// CoNLL-U (https://universaldependencies.org/format.html): read and write all ten columns, keeping
// comments, multiword-token ranges (1-2) and empty nodes (5.1) so that files round-trip byte for byte.
// Reading is strict by default: a row that breaks the format is a ConlluError naming its line and
// column; lenient reading reports the same problems as warnings and skips what it cannot use.

export interface ConlluWord {
  /** "3", or "1-2" for a multiword token, or "5.1" for an empty node. */
  id: string;
  form: string;
  lemma: string;
  upos: string;
  xpos: string;
  feats: string;
  /**
   * Head index (0 = root); -1 for multiword tokens and empty nodes, whose HEAD is "_", and for words
   * of unparsed input (read with `unparsed`) whose HEAD is "_".
   */
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

/** The ten CoNLL-U columns, in order (column n is COLUMNS[n - 1]). */
export const CONLLU_COLUMNS = [
  'ID',
  'FORM',
  'LEMMA',
  'UPOS',
  'XPOS',
  'FEATS',
  'HEAD',
  'DEPREL',
  'DEPS',
  'MISC',
] as const;

/** The default limit on the syntactic words of one sentence (see ParseOptions.maxWords). */
export const MAX_SENTENCE_WORDS = 1000;

export class ConlluError extends Error {
  /** The CoNLL-U column (1-10) the problem is in, when it is in one. */
  readonly column?: number;
  /** Set on a lenient warning whose sentence was left out of the result. */
  readonly skipped: boolean;
  /** The problem without its place. */
  readonly detail: string;

  constructor(
    message: string,
    readonly line: number,
    options: { column?: number; skipped?: boolean } = {},
  ) {
    const { column, skipped = false } = options;
    const where =
      column === undefined
        ? `line ${line}`
        : `line ${line}, column ${column} (${CONLLU_COLUMNS[column - 1]})`;
    super(`${where}: ${message}${skipped ? ' (sentence skipped)' : ''}`);
    this.name = 'ConlluError';
    this.detail = message;
    if (column !== undefined) this.column = column;
    this.skipped = skipped;
  }
}

export interface ParseOptions {
  /**
   * Lenient reading reports problems as warnings (`onWarning`, `warnings`) instead of throwing: a
   * sentence with an unreadable row, IDs out of order, a HEAD out of range or too many words is left
   * out (its warning has `skipped`); one whose heads do not form a tree is kept. Default false.
   */
  lenient?: boolean;
  warnings?: ConlluError[];
  onWarning?: (warning: ConlluError) => void;
  /** Line number of the text's first line minus one (for blocks cut from a larger file). */
  lineOffset?: number;
  /**
   * Input for a parser: the HEAD of every word of a sentence may be "_" (read as head -1). A sentence
   * that gives heads must give them all, and they must form a tree. Default false.
   */
  unparsed?: boolean;
  /** At most this many syntactic words per sentence (default: no limit; `lab parse` uses 1,000). */
  maxWords?: number;
}

/** The syntactic words of a sentence (no multiword ranges, no empty nodes). */
export function words(sentence: ConlluSentence): ConlluWord[] {
  return sentence.rows.filter((r) => r.kind === 'word');
}

const WORD_ID = /^[1-9][0-9]*$/;
const RANGE_ID = /^([1-9][0-9]*)-([1-9][0-9]*)$/;
const EMPTY_ID = /^(0|[1-9][0-9]*)\.([1-9][0-9]*)$/;
const HEAD = /^(0|[1-9][0-9]*)$/;
// columns that must not hold spaces (FORM, LEMMA and MISC may)
const NO_SPACE = new Set([1, 4, 5, 6, 7, 8, 9]);

/** C0 controls other than tab, and DEL: never text (a NUL is binary input). */
const isControl = (code: number) => (code < 0x20 && code !== 0x09) || code === 0x7f;

/** The first character of `s` that is not text, as its code point for a message. */
function controlName(s: string): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (isControl(code)) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}

function parseRow(line: string, lineNo: number, unparsed: boolean): ConlluWord {
  const cols = line.split('\t');
  if (cols.length !== 10) {
    const spaced = cols.length === 1 && line.trim().split(/\s+/).length >= 10;
    throw new ConlluError(
      `expected 10 tab-separated columns, found ${cols.length}${spaced ? ' (the columns are separated by spaces, not tabs)' : ''}`,
      lineNo,
    );
  }
  cols.forEach((c, i) => {
    const column = i + 1;
    if (c === '') throw new ConlluError('empty field (write "_" for no value)', lineNo, { column });
    const control = controlName(c);
    if (control) throw new ConlluError(`control character ${control} (not text)`, lineNo, { column });
    if (NO_SPACE.has(column) && /\s/.test(c))
      throw new ConlluError(`space in ${JSON.stringify(c)}`, lineNo, { column });
  });
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
  const range = RANGE_ID.exec(id);
  const kind = range ? 'multiword' : EMPTY_ID.test(id) ? 'empty' : 'word';
  if (kind === 'word' && !WORD_ID.test(id))
    throw new ConlluError(`bad ID ${JSON.stringify(id)}`, lineNo, { column: 1 });
  if (range && Number(range[1]) >= Number(range[2]))
    throw new ConlluError(`multiword range ${id} does not run forwards`, lineNo, { column: 1 });
  let head = -1;
  if (kind === 'word') {
    if (HEAD.test(headText)) head = Number(headText);
    else if (!(unparsed && headText === '_'))
      throw new ConlluError(`bad HEAD ${JSON.stringify(headText)} for word ${id}`, lineNo, { column: 7 });
  } else if (headText !== '_')
    throw new ConlluError(
      `HEAD of ${kind} row ${id} must be "_", found ${JSON.stringify(headText)}`,
      lineNo,
      {
        column: 7,
      },
    );
  return { id, form, lemma, upos, xpos, feats, head, deprel, deps, misc, kind, headText };
}

/** Where row `r` of a sentence sits in the text (rows are on consecutive lines after the comments). */
const rowLine = (s: ConlluSentence, r: number) => s.line + s.comments.length + r;

/**
 * IDs and heads: word IDs run 1..n, ranges and empty nodes sit where their IDs say, heads are in
 * 0..n. A sentence that fails is unusable (heads would point at the wrong words).
 */
function checkIds(s: ConlluSentence): void {
  let n = 0;
  let rangeEnd = 0;
  s.rows.forEach((r, i) => {
    const line = rowLine(s, i);
    if (r.kind === 'word') {
      n++;
      if (Number(r.id) !== n)
        throw new ConlluError(`word IDs must run 1, 2, 3, ...: found ${r.id} where ${n} belongs`, line, {
          column: 1,
        });
    } else if (r.kind === 'multiword') {
      const [from, to] = r.id.split('-').map(Number) as [number, number];
      if (from !== n + 1 || from <= rangeEnd)
        throw new ConlluError(`multiword range ${r.id} must come just before word ${n + 1}`, line, {
          column: 1,
        });
      rangeEnd = to;
    } else if (Number(r.id.split('.')[0]) !== n)
      throw new ConlluError(`empty node ${r.id} must follow word ${r.id.split('.')[0]}`, line, { column: 1 });
  });
  if (n === 0) throw new ConlluError('a sentence without words', s.line);
  if (rangeEnd > n)
    throw new ConlluError(`a multiword range ends at word ${rangeEnd} of ${n}`, s.line, { column: 1 });
  let given = 0;
  s.rows.forEach((r, i) => {
    if (r.kind !== 'word' || r.head < 0) return;
    given++;
    if (r.head > n)
      throw new ConlluError(
        `HEAD ${r.head} of word ${r.id} is beyond the sentence (${n} word${n === 1 ? '' : 's'})`,
        rowLine(s, i),
        {
          column: 7,
        },
      );
  });
  if (given > 0 && given < n) {
    const i = s.rows.findIndex((r) => r.kind === 'word' && r.head < 0);
    throw new ConlluError(`HEAD "_" in a sentence whose other words have heads`, rowLine(s, i), {
      column: 7,
    });
  }
}

/** The heads form one tree: a single root and no cycles (skipped when no heads are given). */
function checkTree(s: ConlluSentence): void {
  const ws = words(s);
  if (ws.every((w) => w.head < 0)) return;
  const roots = ws.filter((w) => w.head === 0).length;
  if (roots !== 1)
    throw new ConlluError(roots === 0 ? 'no root (HEAD 0)' : `${roots} roots (HEAD 0)`, s.line);
  for (const start of ws) {
    let cur = start;
    for (let steps = 0; cur.head !== 0; steps++) {
      if (steps > ws.length) throw new ConlluError(`cycle through word ${start.id}`, s.line);
      cur = ws[cur.head - 1]!;
    }
  }
}

/** Parses CoNLL-U text into sentences. Errors carry line numbers (and columns). */
export function parseConllu(text: string, options: ParseOptions = {}): ConlluSentence[] {
  const { lenient = false, unparsed = false, maxWords = Number.POSITIVE_INFINITY } = options;
  const warn = (e: ConlluError) => {
    options.warnings?.push(e);
    options.onWarning?.(e);
  };
  const out: ConlluSentence[] = [];
  // lines end in LF or CRLF; a byte-order mark at the start is not text
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r?\n/);
  // every line ends in a line break: a last line without one is where a truncated file stops
  if (lines[lines.length - 1] === '') lines.pop();
  else {
    const e = new ConlluError(
      'the last line has no line break (a truncated file?)',
      (options.lineOffset ?? 0) + lines.length,
    );
    if (!lenient) throw e;
    warn(e);
  }
  let cur: ConlluSentence | undefined;
  let broken: ConlluError | undefined; // first problem of the current sentence (lenient)
  let wordCount = 0;
  const problem = (e: unknown) => {
    if (!lenient || !(e instanceof ConlluError)) throw e;
    if (!broken) broken = e;
    warn(e);
  };
  const finish = () => {
    if (!cur) return;
    const s = cur;
    cur = undefined;
    if (broken) {
      warn(new ConlluError('a sentence with unreadable rows', s.line, { skipped: true }));
      broken = undefined;
      return;
    }
    try {
      checkIds(s);
    } catch (e) {
      if (!lenient || !(e instanceof ConlluError)) throw e;
      warn(new ConlluError(e.detail, e.line, { column: e.column, skipped: true }));
      return;
    }
    try {
      checkTree(s);
    } catch (e) {
      if (!lenient || !(e instanceof ConlluError)) throw e;
      warn(e); // the rows are sound: the sentence is kept
    }
    out.push(s);
  };
  const offset = options.lineOffset ?? 0;
  for (const [i, line] of lines.entries()) {
    const lineNo = offset + i + 1;
    if (line === '') {
      finish();
      continue;
    }
    if (!cur) {
      cur = { comments: [], rows: [], line: lineNo };
      wordCount = 0;
    }
    if (line.startsWith('#')) {
      const control = controlName(line);
      if (control) problem(new ConlluError(`control character ${control} (not text)`, lineNo));
      else if (cur.rows.length > 0) problem(new ConlluError('comment line inside a sentence', lineNo));
      else cur.comments.push(line);
      continue;
    }
    if (broken) {
      // the sentence is lost already: its other rows are read only for their own warnings
      try {
        parseRow(line, lineNo, unparsed);
      } catch (e) {
        problem(e);
      }
      continue;
    }
    try {
      const row = parseRow(line, lineNo, unparsed);
      if (row.kind === 'word' && ++wordCount > maxWords)
        throw new ConlluError(
          `the sentence starting at line ${cur.line} has more than ${maxWords} words, the limit per sentence`,
          lineNo,
        );
      cur.rows.push(row);
    } catch (e) {
      problem(e);
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
      const head = r.kind === 'word' && r.head >= 0 ? String(r.head) : r.headText;
      s += `${r.id}\t${r.form}\t${r.lemma}\t${r.upos}\t${r.xpos}\t${r.feats}\t${head}\t${r.deprel}\t${r.deps}\t${r.misc}\n`;
    }
    s += '\n';
  }
  return s;
}

/** The offset of the first byte that does not belong to well-formed UTF-8, or -1. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Bytes as text for a reader: well-formed UTF-8 without NUL or other control characters (tab, LF
 * and CR aside), else a ConlluError naming the line; so binary input is refused, not read as text.
 */
export function decodeText(bytes: Uint8Array): string {
  const lineOf = (offset: number) => {
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    return line;
  };
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0)
    throw new ConlluError(
      `not UTF-8 text (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad})`,
      lineOf(bad),
    );
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (isControl(b) && b !== 0x0a && b !== 0x0d)
      throw new ConlluError(
        `${b === 0 ? 'binary data: NUL byte' : `control character 0x${b.toString(16).padStart(2, '0')}`} at offset ${i}`,
        lineOf(i),
      );
  }
  return new TextDecoder().decode(bytes);
}

/**
 * Streaming reader: sentences one at a time from text chunks of any size (a file stream, fetch body),
 * so that large treebanks never sit in memory whole. Errors carry the file's line numbers; bytes
 * that are not UTF-8 are an error.
 */
export async function* readConllu(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: Omit<ParseOptions, 'lineOffset'> = {},
): AsyncGenerator<ConlluSentence> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
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
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new ConlluError('not UTF-8 text', lineNo + 1 + (pending.match(/\n/g)?.length ?? 0));
    }
  };
  let first = true;
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decode(chunk);
    if (first && pending.length > 0) {
      if (pending.startsWith('\uFEFF')) pending = pending.slice(1);
      first = false;
    }
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      yield* take(pending.slice(0, nl).replace(/\r$/, ''));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  }
  pending += decode();
  if (pending) {
    const e = new ConlluError('the last line has no line break (a truncated file?)', lineNo + 1);
    if (!options.lenient) throw e;
    options.warnings?.push(e);
    options.onWarning?.(e);
    yield* take(pending.replace(/\r$/, ''));
  }
  yield* flush();
}
