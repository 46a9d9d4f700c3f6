// The parser panel: the shipped EWT tagger and parser, fetched as files and run on WASM SIMD; the tree
// is drawn as arcs over the words.
import { type ConlluSentence, formatConllu, Parser, sentencesFromText, Tagger, words } from '@lab/depparse';

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

/** Loads the model files that the build copies next to the page (models/en_ewt/). */
export async function loadShippedModel(base = './models/en_ewt/'): Promise<ShippedModel> {
  const [weights, vocab, config, tWeights, tVocab, tConfig] = await Promise.all([
    fetchBytes(`${base}weights.safetensors`),
    fetchText(`${base}vocab.json`),
    fetchText(`${base}config.json`),
    fetchBytes(`${base}tagger.safetensors`),
    fetchText(`${base}tagger-vocab.json`),
    fetchText(`${base}tagger-config.json`),
  ]);
  return {
    parser: Parser.fromFiles({ weights, vocab, config }),
    tagger: Tagger.fromFiles({ weights: tWeights, vocab: tVocab, config: tConfig }),
  };
}

/** Tags and parses plain text (one sentence per line). */
export function parseText(model: ShippedModel, text: string): ConlluSentence[] {
  return model.parser.parse(model.tagger.tag(sentencesFromText(text)));
}

const SVG = 'http://www.w3.org/2000/svg';

/** An arc diagram of one parsed sentence: words in a row, an arc from each head to its dependent. */
export function arcDiagram(sentence: ConlluSentence): SVGSVGElement {
  const ws = words(sentence);
  const step = 90;
  const height = 40 + 18 * Math.min(12, ws.length);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(step * (ws.length + 1)));
  svg.setAttribute('height', String(height + 40));
  const x = (i: number) => step * i + step / 2; // token i (0 is the root)
  const text = (s: string, tx: number, ty: number, colour = '#222') => {
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', String(tx));
    t.setAttribute('y', String(ty));
    t.setAttribute('text-anchor', 'middle');
    t.setAttribute('fill', colour);
    t.textContent = s;
    svg.appendChild(t);
  };
  text('ROOT', x(0), height + 20, '#888');
  ws.forEach((w, i) => {
    text(w.form, x(i + 1), height + 20);
    text(w.upos, x(i + 1), height + 36, '#888');
    const a = x(w.head);
    const b = x(i + 1);
    const rise = Math.min(height - 20, 14 * Math.abs(i + 1 - w.head) + 10);
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute(
      'd',
      `M ${a} ${height} C ${a} ${height - rise}, ${b} ${height - rise}, ${b} ${height - 4}`,
    );
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', '#1a5fd0');
    svg.appendChild(path);
    text(w.deprel, (a + b) / 2, height - rise * 0.75 - 2, '#1a5fd0');
  });
  return svg;
}

export { formatConllu };
