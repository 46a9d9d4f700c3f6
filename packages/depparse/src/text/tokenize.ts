// Plain text to CoNLL-U sentences, one sentence per line: whitespace tokens with punctuation split
// off and English clitics split as UD English does ("don't" -> "do" "n't", "John's" -> "John" "'s").
import type { ConlluSentence, ConlluWord } from './conllu.js';

const CLITIC = /^(.+?)(n't|N'T|'s|'S|'re|'RE|'ve|'VE|'ll|'LL|'d|'D|'m|'M)$/;
const LEADING = /^([("'`[{]+)(.*)$/;
const TRAILING = /^(.*?)([.,;:!?)"'\]}…]+)$/;

export function tokenizeLine(line: string): string[] {
  const out: string[] = [];
  for (const raw of line.trim().split(/\s+/)) {
    if (!raw) continue;
    let w = raw;
    const lead = LEADING.exec(w);
    if (lead?.[2]) {
      out.push(...lead[1]!.split(''));
      w = lead[2];
    }
    const tail: string[] = [];
    const trail = TRAILING.exec(w);
    if (trail?.[1] && !/^[A-Z]\.$|^[a-z]\.[a-z]\.$/i.test(w)) {
      w = trail[1];
      tail.push(...(trail[2]!.match(/\.\.\.|./gu) ?? []));
    }
    const cl = CLITIC.exec(w);
    if (cl?.[1]) out.push(cl[1], cl[2]!);
    else out.push(w);
    out.push(...tail.filter(Boolean));
  }
  return out;
}

/** A sentence of the given tokens with every other column "_" (tags and tree to be predicted). */
export function sentenceFromTokens(tokens: readonly string[], text?: string): ConlluSentence {
  const rows: ConlluWord[] = tokens.map((form, i) => ({
    id: String(i + 1),
    form,
    lemma: '_',
    upos: '_',
    xpos: '_',
    feats: '_',
    head: 0,
    headText: '0',
    deprel: '_',
    deps: '_',
    misc: '_',
    kind: 'word',
  }));
  return { comments: text === undefined ? [] : [`# text = ${text}`], rows, line: 0 };
}

/** Non-empty lines of `text` as sentences (each with its line number). */
export function sentencesFromText(text: string): ConlluSentence[] {
  const out: ConlluSentence[] = [];
  text.split('\n').forEach((raw, i) => {
    const l = raw.trim();
    if (l.length > 0) out.push({ ...sentenceFromTokens(tokenizeLine(l), l), line: i + 1 });
  });
  return out;
}
