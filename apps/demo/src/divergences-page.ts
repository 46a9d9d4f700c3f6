// The divergence explorer: two editable distributions P and Q over the same bins (a family with its
// parameters, or bars dragged on the canvas), every f-divergence D_f(P || Q) with its f-GAN activation,
// f and its conjugate f* for the selected one, and the exact and entropic 1-Wasserstein distances.

import { type Family, fromFamily, setBin } from './distributions.js';
import { type DivergenceEntry, divergenceTable } from './divergence-table.js';
import { type DivergenceValues, divergenceValues, showValue } from './divergence-values.js';
import { drawBars, drawCurves } from './plot.js';

export interface DivergenceState {
  p: number[];
  q: number[];
  values: DivergenceValues;
  selected: string;
}

type Kind = Family['kind'];
const PARAMS: Record<Kind, { name: string; min: number; max: number; step: number }[]> = {
  gaussian: [
    { name: 'mean', min: 0, max: 15, step: 0.1 },
    { name: 'sd', min: 0.3, max: 6, step: 0.1 },
  ],
  uniform: [
    { name: 'lo', min: 0, max: 15, step: 1 },
    { name: 'hi', min: 0, max: 15, step: 1 },
  ],
  bimodal: [
    { name: 'mean1', min: 0, max: 15, step: 0.1 },
    { name: 'mean2', min: 0, max: 15, step: 0.1 },
    { name: 'sd', min: 0.3, max: 4, step: 0.1 },
    { name: 'weight', min: 0, max: 1, step: 0.05 },
  ],
};
const DEFAULTS: Record<string, Family> = {
  p: { kind: 'gaussian', mean: 5, sd: 1.5 },
  q: { kind: 'bimodal', mean1: 4, mean2: 11, sd: 1.2, weight: 0.5 },
};
const COLOUR: Record<string, string> = { p: 'rgba(26, 95, 208, 0.75)', q: 'rgba(230, 120, 20, 0.75)' };

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text = '') => {
  const e = document.createElement(tag);
  e.textContent = text;
  return e;
};

/** Editor of one distribution: family select, parameter sliders, bars to drag. */
function distributionEditor(
  root: HTMLElement,
  which: 'p' | 'q',
  bins: number,
  onChange: (p: Float64Array) => void,
): { value: () => Float64Array } {
  let family: Family = { ...DEFAULTS[which]! };
  let p = fromFamily(family, { bins });
  const box = el('div');
  box.className = 'dist';
  const title = el('h3', which === 'p' ? 'P (blue)' : 'Q (orange)');
  const select = el('select');
  select.id = `div-${which}-family`;
  for (const k of Object.keys(PARAMS)) {
    const o = el('option', k);
    o.value = k;
    select.appendChild(o);
  }
  select.value = family.kind;
  const sliders = el('div');
  const canvas = el('canvas');
  canvas.id = `div-${which}-bars`;
  canvas.width = 320;
  canvas.height = 140;
  canvas.title = 'drag a bar up or down to change its mass';
  box.append(title, select, sliders, canvas);
  root.appendChild(box);

  const draw = () => drawBars(canvas, [{ p, colour: COLOUR[which]! }], Math.max(0.3, ...p));
  const update = () => {
    p = fromFamily(family, { bins });
    draw();
    onChange(p);
  };
  const buildSliders = () => {
    sliders.replaceChildren();
    for (const spec of PARAMS[family.kind]) {
      const label = el('label', `${spec.name} `);
      const input = el('input');
      input.type = 'range';
      input.min = String(spec.min);
      input.max = String(spec.max);
      input.step = String(spec.step);
      input.id = `div-${which}-${spec.name}`;
      input.value = String((family as unknown as Record<string, number>)[spec.name]);
      const shown = el('span', input.value);
      input.addEventListener('input', () => {
        (family as unknown as Record<string, number>)[spec.name] = Number(input.value);
        shown.textContent = input.value;
        update();
      });
      label.append(input, shown);
      sliders.appendChild(label);
    }
  };
  select.addEventListener('change', () => {
    const kind = select.value as Kind;
    const fresh: Record<Kind, Family> = {
      gaussian: { kind: 'gaussian', mean: 7, sd: 2 },
      uniform: { kind: 'uniform', lo: 3, hi: 10 },
      bimodal: { kind: 'bimodal', mean1: 3, mean2: 12, sd: 1.2, weight: 0.5 },
    };
    family = fresh[kind];
    buildSliders();
    update();
  });
  // dragging sets the bar under the pointer to the pointer's height (the plot's top is mass 0.3)
  let dragging = false;
  const drag = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    const i = Math.floor(((e.clientX - r.left) / r.width) * bins);
    const top = Math.max(0.3, ...p);
    const value = ((r.bottom - e.clientY) / r.height) * top;
    p = setBin(p, i, value);
    draw();
    onChange(p);
  };
  canvas.addEventListener('pointerdown', (e) => {
    dragging = true;
    canvas.setPointerCapture(e.pointerId);
    drag(e);
  });
  canvas.addEventListener('pointermove', (e) => dragging && drag(e));
  canvas.addEventListener('pointerup', () => {
    dragging = false;
  });
  buildSliders();
  draw();
  return { value: () => p };
}

/** Sets up the explorer inside `root`; `publish` receives every state it shows (the test reads it). */
export function divergenceExplorer(
  root: HTMLElement,
  publish: (s: DivergenceState) => void,
  { bins = 16 } = {},
): void {
  const table = divergenceTable();
  let selected: DivergenceEntry = table[0]!;
  let epsilon = 0.5;
  const editors = el('div');
  editors.className = 'row';
  const overlay = el('canvas');
  overlay.width = 320;
  overlay.height = 140;
  const wBox = el('p');
  wBox.id = 'div-wasserstein';
  const epsLabel = el('label', 'Sinkhorn ε ');
  const epsInput = el('input');
  epsInput.type = 'range';
  epsInput.min = '0.1';
  epsInput.max = '3';
  epsInput.step = '0.1';
  epsInput.value = String(epsilon);
  epsInput.id = 'div-epsilon';
  epsLabel.appendChild(epsInput);
  const tbl = el('table');
  tbl.id = 'div-table';
  const head = el('tr');
  for (const h of ['f-divergence', 'D_f(P ‖ Q)', 'f-GAN activation g_f(v)']) head.appendChild(el('th', h));
  tbl.appendChild(head);
  const fPlot = el('canvas');
  fPlot.width = 320;
  fPlot.height = 200;
  const fStarPlot = el('canvas');
  fStarPlot.width = 320;
  fStarPlot.height = 200;
  const plotTitle = el('p');
  plotTitle.id = 'div-selected';
  const plots = el('div');
  plots.className = 'row';
  plots.append(fPlot, fStarPlot);
  const valuesBox = el('div');
  valuesBox.className = 'row';
  const right = el('div');
  right.append(plotTitle, plots);
  valuesBox.append(tbl, right);

  const rows = new Map<string, HTMLTableRowElement>();
  for (const entry of table) {
    const tr = el('tr');
    tr.dataset.name = entry.div.name;
    const name = el('td', entry.div.name);
    const value = el('td');
    value.className = 'num';
    const act = el('td', entry.activation);
    act.className = 'formula';
    tr.append(name, value, act);
    tr.addEventListener('click', () => {
      selected = entry;
      render();
    });
    tbl.appendChild(tr);
    rows.set(entry.div.name, tr);
  }

  const drawF = () => {
    const { div } = selected;
    plotTitle.textContent = `${div.name}: f(u) on (0, 4] and its conjugate f*(t) = sup_u (u t − f(u)); dom f* = ${domainText(div.domain)}`;
    drawCurves(
      fPlot,
      [{ f: (u) => (u > 0 ? div.f(u) : Number.NaN), colour: '#1a5fd0', label: 'f(u)' }],
      0.01,
      4,
    );
    const lo = Number.isFinite(div.domain.lo) ? div.domain.lo : -3;
    const hi = Number.isFinite(div.domain.hi) ? div.domain.hi : 3;
    const span = hi - lo;
    drawCurves(
      fStarPlot,
      [{ f: (t) => div.conjugate(t), colour: '#c0392b', label: 'f*(t)' }],
      Number.isFinite(div.domain.lo) ? lo : hi - 6,
      Number.isFinite(div.domain.hi) ? hi : lo + Math.max(6, span),
    );
  };

  let p: Float64Array;
  let q: Float64Array;
  const render = () => {
    if (!p || !q) return;
    drawBars(
      overlay,
      [
        { p, colour: COLOUR.p! },
        { p: q, colour: COLOUR.q! },
      ],
      Math.max(0.3, ...p, ...q),
    );
    const values = divergenceValues(table, p, q, { epsilon });
    values.fDivergences.forEach((v) => {
      const tr = rows.get(v.name)!;
      tr.children[1]!.textContent = showValue(v.value);
      tr.classList.toggle('selected', v.name === selected.div.name);
    });
    wBox.textContent = `1-Wasserstein (cost |i − j| in bins): exact ${showValue(values.wasserstein)}, entropic (Sinkhorn, ε = ${values.sinkhornEpsilon}) ${showValue(values.sinkhorn)}`;
    drawF();
    publish({ p: Array.from(p), q: Array.from(q), values, selected: selected.div.name });
  };
  const pEditor = distributionEditor(editors, 'p', bins, (v) => {
    p = v;
    render();
  });
  const qEditor = distributionEditor(editors, 'q', bins, (v) => {
    q = v;
    render();
  });
  p = pEditor.value();
  q = qEditor.value();
  epsInput.addEventListener('input', () => {
    epsilon = Number(epsInput.value);
    render();
  });
  const both = el('div');
  both.className = 'dist';
  both.append(el('h3', 'P and Q'), overlay);
  editors.appendChild(both);
  root.append(editors, wBox, epsLabel, valuesBox);
  render();
}

function domainText(d: { lo: number; hi: number; loClosed: boolean; hiClosed: boolean }): string {
  const n = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : x > 0 ? '∞' : '−∞');
  return `${d.loClosed ? '[' : '('}${n(d.lo)}, ${n(d.hi)}${d.hiClosed ? ']' : ')'}`;
}
