// The input of `lab parse`, `lab parse train` and `lab parse eval`: a file or standard input read whole
// within a size limit, then CoNLL-U (or plain text) read strictly, or leniently with every problem a
// warning on stderr and a count at the end.
import { FILE_LIMITS, readFileLimited, readStreamLimited } from '@lab/core/node';
import { ConlluError, type ConlluSentence, decodeText, parseConllu, sentencesFromText } from '@lab/depparse';

/** Default of --max-input-bytes: the largest input file (or standard input) read, 256 MiB. */
export const MAX_INPUT_BYTES = FILE_LIMITS.text;
/** The most --max-input-bytes allows: the longest string V8 makes (2^29 - 24 characters). */
export const MAX_INPUT_BYTES_LIMIT = 2 ** 29 - 24;
const RAISE = '--max-input-bytes raises it';

/** A text input file read whole, refused (naming file, size and limit) over `maxBytes`. */
export function readInputFile(path: string, maxBytes = MAX_INPUT_BYTES): Uint8Array {
  return readFileLimited(path, maxBytes, { hint: RAISE });
}

/**
 * The bytes of `input` (a path; undefined or "-": standard input, or `stdin` when given) and the name
 * errors use for it. Standard input is counted as it arrives and abandoned past `maxBytes`.
 */
export async function readInput(
  input: string | undefined,
  maxBytes = MAX_INPUT_BYTES,
  stdin?: string | Uint8Array,
): Promise<{ name: string; bytes: Uint8Array }> {
  if (input !== undefined && input !== '-') return { name: input, bytes: readInputFile(input, maxBytes) };
  const name = 'standard input';
  if (stdin === undefined)
    return { name, bytes: await readStreamLimited(process.stdin, name, maxBytes, { hint: RAISE }) };
  const bytes = typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin;
  if (bytes.length > maxBytes) throw new Error(`${name}: more than the limit of ${maxBytes} bytes; ${RAISE}`);
  return { name, bytes };
}

export interface ReadSentencesOptions {
  /** Input format ('auto': detectFormat). Default 'conllu'. */
  format?: 'auto' | 'conllu' | 'text';
  /** The input's path, for format detection by extension. */
  path?: string;
  /** Problems are warnings on stderr (with a count at the end); unusable sentences are skipped. */
  lenient?: boolean;
  /** HEAD and DEPREL may be "_" (parser input). */
  unparsed?: boolean;
  /** Words per sentence at most (default: no limit). */
  maxWords?: number;
  /** Extra words for an error about the per-sentence limit (e.g. which option raises it). */
  maxWordsHint?: string;
}

/**
 * Sentences of CoNLL-U or plain-text bytes. Strict: the first problem is an Error naming `name`, the
 * line and column. Lenient: each problem is written to stderr as `warning: <name>: line N: ...`,
 * the sentences it makes unusable are skipped, and a count ends the warnings.
 */
export function readSentences(
  bytes: Uint8Array,
  name: string,
  o: ReadSentencesOptions = {},
): { sentences: ConlluSentence[]; warnings: ConlluError[] } {
  const warnings: ConlluError[] = [];
  const warn = (w: ConlluError) => {
    warnings.push(w);
    process.stderr.write(`warning: ${name}: ${w.message}\n`);
  };
  const maxWords = o.maxWords ?? Number.POSITIVE_INFINITY;
  let sentences: ConlluSentence[];
  try {
    const text = decodeText(bytes);
    const format = (o.format ?? 'conllu') === 'auto' ? detectFormat(text, o.path) : (o.format ?? 'conllu');
    sentences =
      format === 'conllu'
        ? parseConllu(text, { lenient: o.lenient, onWarning: warn, unparsed: o.unparsed, maxWords })
        : textSentences(text, maxWords, o.lenient ? warn : undefined);
  } catch (e) {
    if (!(e instanceof ConlluError)) throw e;
    const hint = o.maxWordsHint && /the limit per sentence/.test(e.detail) ? `; ${o.maxWordsHint}` : '';
    throw new Error(`${name}: ${e.message}${hint}`, { cause: e });
  }
  if (sentences.length === 0) {
    if (!o.lenient) throw new Error(`${name}: no sentences in the input`);
    warn(new ConlluError('no sentences in the input', 1));
  }
  if (warnings.length > 0) {
    const skipped = warnings.filter((w) => w.skipped).length;
    process.stderr.write(
      `${name}: ${warnings.length} warning${warnings.length === 1 ? '' : 's'}, ${skipped} sentence${skipped === 1 ? '' : 's'} skipped\n`,
    );
  }
  return { sentences, warnings };
}

/** CoNLL-U when the first line after any comments is a CoNLL-U row (tab- or, wrongly, space-separated). */
export function detectFormat(text: string, path?: string): 'conllu' | 'text' {
  if (path?.endsWith('.conllu')) return 'conllu';
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.startsWith('#'));
  if (first === undefined) return text.trim() === '' ? 'text' : 'conllu';
  if (/^[0-9]+([-.][0-9]+)?\t/.test(first)) return 'conllu';
  const fields = first.trim().split(/\s+/);
  return fields.length === 10 && /^[0-9]+$/.test(fields[0]!) && /^([0-9]+|_)$/.test(fields[6]!)
    ? 'conllu'
    : 'text';
}

/** Plain-text sentences with at most `maxWords` tokens each (over it: an error, or a warning and skipped). */
function textSentences(text: string, maxWords: number, warn?: (w: ConlluError) => void): ConlluSentence[] {
  return sentencesFromText(text).filter((s) => {
    if (s.rows.length <= maxWords) return true;
    const e = new ConlluError(
      `${s.rows.length} tokens: more than ${maxWords} words, the limit per sentence`,
      s.line,
      { skipped: warn !== undefined },
    );
    if (!warn) throw e;
    warn(e);
    return false;
  });
}
