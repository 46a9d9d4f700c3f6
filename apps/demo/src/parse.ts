// The parser panel: the shipped EWT tagger and parser, fetched as files and run on WASM SIMD; the tree
// is drawn as arcs over the words.
import {
  type ConlluSentence,
  formatConllu,
  type ModelFileNames,
  type ModelFiles,
  PARSER_FILES,
  Parser,
  sentencesFromText,
  TAGGER_FILES,
  Tagger,
  words,
} from '@lab/depparse';

export interface ShippedModel {
  parser: Parser;
  tagger: Tagger;
}

async function fetchOk(url: string): Promise<Response> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r;
}
const fetchText = async (url: string) => (await fetchOk(url)).text();
const fetchBytes = async (url: string) => new Uint8Array(await (await fetchOk(url)).arrayBuffer());

/** A model's files under `base`; the config file is there only for models from before the header. */
async function fetchModel(base: string, names: ModelFileNames): Promise<ModelFiles> {
  const [weights, vocab, config] = await Promise.all([
    fetchBytes(`${base}${names.weights}`),
    fetchText(`${base}${names.vocab}`),
    fetch(`${base}${names.config}`).then((r) => (r.ok ? r.text() : undefined)),
  ]);
  return { weights, vocab, ...(config === undefined ? {} : { config }) };
}

/** Loads the model files that the build copies next to the page (models/en_ewt/). */
export async function loadShippedModel(base = './models/en_ewt/'): Promise<ShippedModel> {
  const [parser, tagger] = await Promise.all([
    fetchModel(base, PARSER_FILES),
    fetchModel(base, TAGGER_FILES),
  ]);
  return { parser: Parser.fromFiles(parser), tagger: Tagger.fromFiles(tagger) };
}

/** Tags and parses plain text (one sentence per line). */
export function parseText(model: ShippedModel, text: string): ConlluSentence[] {
  return model.parser.parse(model.tagger.tag(sentencesFromText(text)));
}

const SVG = 'http://www.w3.org/2000/svg';

export interface ArcLayout {
  /** Centre x of token i (0 is ROOT). */
  x: number[];
  /** Nesting level of the arc into each word (1: no arc under it), indexed like the words. */
  level: number[];
  width: number;
}

/**
 * Lays out a tree for drawing: each word gets room for its longest label, and each arc sits one
 * level above the highest arc nested inside its span, so arcs never cross a label and long
 * sentences stay legible (the diagram grows in width and scrolls instead of squeezing words).
 */
export function arcLayout(
  ws: readonly { form: string; upos: string; head: number; deprel: string }[],
): ArcLayout {
  const charWidth = 8;
  const x: number[] = [];
  let at = 0;
  const widthOf = (s: string) => Math.max(50, charWidth * s.length + 16);
  [{ form: 'ROOT', upos: '' }, ...ws].forEach((w) => {
    const w0 = widthOf(w.form.length >= w.upos.length ? w.form : w.upos);
    x.push(at + w0 / 2);
    at += w0;
  });
  const spans = ws.map((w, i) => ({ i, a: Math.min(w.head, i + 1), b: Math.max(w.head, i + 1) }));
  const order = [...spans].sort((s, t) => s.b - s.a - (t.b - t.a));
  const level = new Array<number>(ws.length).fill(1);
  order.forEach((s, k) => {
    let l = 1;
    for (const t of order.slice(0, k)) if (t.a >= s.a && t.b <= s.b) l = Math.max(l, level[t.i]! + 1);
    level[s.i] = l;
  });
  return { x, level, width: at };
}

/** An arc diagram of one parsed sentence: words in a row, an arc from each head to its dependent. */
export function arcDiagram(sentence: ConlluSentence): HTMLDivElement {
  const ws = words(sentence);
  const { x, level, width } = arcLayout(ws);
  const perLevel = 22;
  const height = 20 + perLevel * Math.max(1, ...level);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height + 44));
  const text = (s: string, tx: number, ty: number, colour = '#222') => {
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', String(tx));
    t.setAttribute('y', String(ty));
    t.setAttribute('text-anchor', 'middle');
    t.setAttribute('fill', colour);
    t.textContent = s; // text nodes: user text is never parsed as markup
    svg.appendChild(t);
  };
  text('ROOT', x[0]!, height + 20, '#888');
  ws.forEach((w, i) => {
    text(w.form, x[i + 1]!, height + 20);
    text(w.upos, x[i + 1]!, height + 36, '#888');
    const a = x[w.head]!;
    const b = x[i + 1]!;
    const rise = perLevel * level[i]!;
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute(
      'd',
      `M ${a} ${height} C ${a} ${height - rise * 1.3}, ${b} ${height - rise * 1.3}, ${b} ${height - 4}`,
    );
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', '#1a5fd0');
    svg.appendChild(path);
    text(w.deprel, (a + b) / 2, height - rise - 2, '#1a5fd0');
  });
  const box = document.createElement('div');
  box.className = 'arcs';
  box.appendChild(svg);
  return box;
}

/** Points `link` at a Blob of the CoNLL-U text; returns the function that frees the Blob's URL. */
export function conlluDownload(link: HTMLAnchorElement, conllu: string): () => void {
  const url = URL.createObjectURL(new Blob([conllu], { type: 'text/plain;charset=utf-8' }));
  link.href = url;
  link.hidden = false;
  return () => URL.revokeObjectURL(url);
}

export { formatConllu };
