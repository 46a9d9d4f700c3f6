// What the parser's XPOS embedding (and the tagger's XPOS head) read: the XPOS tag alone, or XPOS and
// FEATS as one tag. In EWT the pair has 335 values against 52 XPOS tags: FEATS add what PTB tags leave
// out (PronType, Case of pronouns, Mood, NumType, ExtPos of fixed expressions, ...).
export type Morphology = 'xpos' | 'xpos+feats';

export const MORPHOLOGIES: readonly Morphology[] = ['xpos', 'xpos+feats'];

/** The tag for a word: XPOS, or XPOS and FEATS joined by a tab (no CoNLL-U field holds one). */
export function morphologyKey(w: { xpos: string; feats: string }, morphology: Morphology = 'xpos'): string {
  return morphology === 'xpos+feats' ? `${w.xpos}\t${w.feats}` : w.xpos;
}

/** XPOS and FEATS of a tag made by morphologyKey (FEATS '_' for a plain XPOS tag). */
export function splitMorphologyKey(key: string): { xpos: string; feats: string } {
  const tab = key.indexOf('\t');
  return tab < 0 ? { xpos: key, feats: '_' } : { xpos: key.slice(0, tab), feats: key.slice(tab + 1) };
}
