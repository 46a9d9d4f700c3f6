// Attachment scores as the CoNLL 2018 shared task's evaluation script defines them for gold
// tokenisation: UAS and LAS over all syntactic words (punctuation included), LAS comparing only the
// universal part of DEPREL (before ':'), and CLAS, the F1 of labelled attachment over content words.
import { type ConlluSentence, words } from '../text/conllu.js';

/** Relations that CLAS ignores: function words and punctuation (CoNLL 2018). */
const NON_CONTENT = new Set(['aux', 'case', 'cc', 'clf', 'cop', 'det', 'mark', 'punct']);

export const universalRelation = (deprel: string): string => deprel.split(':')[0]!;

export interface LabelScore {
  gold: number;
  system: number;
  correct: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface AttachmentScores {
  words: number;
  uas: number;
  las: number;
  clas: number;
  /** Per universal relation: labelled attachment precision, recall and F1. */
  perLabel: Record<string, LabelScore>;
}

/** Scores `system` against `gold` (same sentences and tokenisation). */
export function attachmentScores(
  gold: readonly ConlluSentence[],
  system: readonly ConlluSentence[],
): AttachmentScores {
  if (gold.length !== system.length)
    throw new Error(`gold has ${gold.length} sentences but system has ${system.length}`);
  let n = 0;
  let headRight = 0;
  let labelRight = 0;
  let contentGold = 0;
  let contentSystem = 0;
  let contentRight = 0;
  const per = new Map<string, { gold: number; system: number; correct: number }>();
  const bump = (label: string, k: 'gold' | 'system' | 'correct') => {
    const e = per.get(label) ?? { gold: 0, system: 0, correct: 0 };
    e[k]++;
    per.set(label, e);
  };
  gold.forEach((gs, i) => {
    const g = words(gs);
    const s = words(system[i]!);
    if (g.length !== s.length)
      throw new Error(
        `sentence ${i + 1} (line ${gs.line}): gold has ${g.length} words but system has ${s.length}; tokenisation must match`,
      );
    g.forEach((gw, j) => {
      const sw = s[j]!;
      if (gw.form !== sw.form)
        throw new Error(
          `sentence ${i + 1}, word ${j + 1}: gold form '${gw.form}' but system form '${sw.form}'`,
        );
      const gl = universalRelation(gw.deprel);
      const sl = universalRelation(sw.deprel);
      n++;
      const head = gw.head === sw.head;
      if (head) headRight++;
      const labelled = head && gl === sl;
      if (labelled) labelRight++;
      bump(gl, 'gold');
      bump(sl, 'system');
      if (labelled) bump(gl, 'correct');
      const gContent = !NON_CONTENT.has(gl);
      const sContent = !NON_CONTENT.has(sl);
      if (gContent) contentGold++;
      if (sContent) contentSystem++;
      if (gContent && sContent && labelled) contentRight++;
    });
  });
  // labels come from files: a null-prototype object keeps "__proto__" or "constructor" a label
  const perLabel: Record<string, LabelScore> = Object.create(null);
  for (const [label, e] of [...per.entries()].sort()) {
    const precision = e.system ? e.correct / e.system : 0;
    const recall = e.gold ? e.correct / e.gold : 0;
    perLabel[label] = {
      ...e,
      precision,
      recall,
      f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    };
  }
  return {
    words: n,
    uas: n ? headRight / n : 0,
    las: n ? labelRight / n : 0,
    clas: contentGold + contentSystem ? (2 * contentRight) / (contentGold + contentSystem) : 0,
    perLabel,
  };
}
