// The adversarial-examples page: thumbnails of the shipped test images to pick from, an epsilon
// slider, FGSM or PGD, the image, the perturbation and the adversarial image side by side, and the
// classifier's top classes before and after.
import type { Evaluator } from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import {
  type AttackKind,
  type AttackResult,
  attack,
  CLASSES,
  classify,
  loadAdversarialAssets,
  predicted,
  type Samples,
  sampleImage,
} from './adversarial.js';

export interface AdversarialAutoResult {
  index: number;
  label: number;
  before: number;
  epsilon: number;
  fgsm: { after: number; linf: number };
  pgd: { after: number; linf: number };
  leakedTensors: number;
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text = '') => {
  const e = document.createElement(tag);
  e.textContent = text;
  return e;
};

/** Draws 784 values through `shade` (value -> grey level 0..255) on a 28x28 canvas. */
function drawImage(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  shade = (v: number) => 255 * v,
): void {
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(28, 28);
  for (let k = 0; k < 784; k++) {
    const g = Math.max(0, Math.min(255, Math.round(shade(values[k]!))));
    img.data.set([g, g, g, 255], 4 * k);
  }
  ctx.putImageData(img, 0, 0);
}

const canvas28 = () => {
  const c = el('canvas');
  c.width = 28;
  c.height = 28;
  return c;
};

function topClasses(probs: number[], label: number, k = 3): HTMLElement {
  const list = el('ol');
  probs
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p - a.p)
    .slice(0, k)
    .forEach(({ p, i }) => {
      const li = el('li', `${CLASSES[i]} ${(100 * p).toFixed(1)}%${i === label ? ' (true class)' : ''}`);
      if (i === label) li.style.color = '#1a7f37';
      list.appendChild(li);
    });
  return list;
}

/** Sets up the page inside `root`; with `auto` it attacks the first correctly classified image once. */
export async function adversarialPage(
  root: HTMLElement,
  { auto = false, epsilon: startEpsilon = 0.1 } = {},
): Promise<AdversarialAutoResult | undefined> {
  const status = root.querySelector<HTMLElement>('#adv-status')!;
  const { classifier, samples } = await loadAdversarialAssets();
  status.textContent = `classifier loaded (${Object.keys(classifier.parameters()).length} tensors); ${samples.count} test images`;
  const view = buildView(root, classifier, samples, startEpsilon);
  if (!auto) return undefined;
  const before = tf.memory().numTensors;
  const index = firstCorrect(classifier, samples);
  view.choose(index);
  const image = sampleImage(samples, index);
  const label = samples.labels[index]!;
  const f = attack(classifier, image, label, { kind: 'fgsm', epsilon: startEpsilon });
  const p = attack(classifier, image, label, { kind: 'pgd', epsilon: startEpsilon, steps: 10 });
  view.show(p, 'pgd');
  return {
    index,
    label,
    before: predicted(p.before),
    epsilon: startEpsilon,
    fgsm: { after: predicted(f.after), linf: f.linf },
    pgd: { after: predicted(p.after), linf: p.linf },
    leakedTensors: tf.memory().numTensors - before,
  };
}

function firstCorrect(classifier: Evaluator, samples: Samples): number {
  for (let i = 0; i < samples.count; i++)
    if (predicted(classify(classifier, sampleImage(samples, i))) === samples.labels[i]) return i;
  throw new Error('the classifier gets none of the shipped images right');
}

function buildView(root: HTMLElement, classifier: Evaluator, samples: Samples, startEpsilon: number) {
  let chosen = 0;
  let epsilon = startEpsilon;
  let kind: AttackKind = 'fgsm';
  const thumbs = el('div');
  thumbs.className = 'thumbs';
  thumbs.id = 'adv-thumbs';
  const thumbCanvases: HTMLCanvasElement[] = [];
  for (let i = 0; i < samples.count; i++) {
    const c = canvas28();
    c.style.width = '42px';
    c.style.height = '42px';
    c.title = `test image ${i}: ${CLASSES[samples.labels[i]!]}`;
    drawImage(c, samples.images.subarray(i * 784, (i + 1) * 784), (v) => 255 - v);
    c.addEventListener('click', () => choose(i));
    thumbs.appendChild(c);
    thumbCanvases.push(c);
  }
  const controls = el('div');
  controls.className = 'row';
  const epsLabel = el('label', 'ε ');
  const eps = el('input');
  eps.type = 'range';
  eps.id = 'adv-epsilon';
  eps.min = '0';
  eps.max = '0.3';
  eps.step = '0.01';
  eps.value = String(epsilon);
  const epsShown = el('span', epsilon.toFixed(2));
  epsLabel.append(eps, epsShown);
  const method = el('select');
  method.id = 'adv-method';
  for (const [v, t] of [
    ['fgsm', 'FGSM (one step)'],
    ['pgd', 'PGD (10 steps, L∞)'],
  ]) {
    const o = el('option', t);
    o.value = v!;
    method.appendChild(o);
  }
  controls.append(epsLabel, method);
  const images = el('div');
  images.className = 'row images';
  const figure = (caption: string) => {
    const f = el('figure');
    const c = canvas28();
    const cap = el('figcaption', caption);
    const preds = el('div');
    f.append(c, cap, preds);
    images.appendChild(f);
    return { canvas: c, caption: cap, preds };
  };
  const original = figure('image');
  const perturbation = figure('perturbation (grey: 0, scaled to ±ε)');
  const adversarial = figure('adversarial image');
  const verdict = el('p');
  verdict.id = 'adv-verdict';
  root.append(thumbs, controls, images, verdict);

  const show = (r: AttackResult, k: AttackKind) => {
    const image = sampleImage(samples, chosen);
    drawImage(original.canvas, image, (v) => 255 - 255 * v);
    const delta = r.adversarial.map((v, i) => v - image[i]!);
    drawImage(perturbation.canvas, delta, (d) => 128 + (epsilon > 0 ? (127 * d) / epsilon : 0));
    drawImage(adversarial.canvas, r.adversarial, (v) => 255 - 255 * v);
    original.preds.replaceChildren(topClasses(r.before, r.label));
    adversarial.preds.replaceChildren(topClasses(r.after, r.label));
    const b = predicted(r.before);
    const a = predicted(r.after);
    verdict.textContent =
      `${k.toUpperCase()}, ε = ${epsilon.toFixed(2)} (max pixel change ${r.linf.toFixed(3)}): ` +
      `${CLASSES[b]} → ${CLASSES[a]}` +
      (a !== b ? ' — the prediction flipped.' : ' — the prediction held.');
  };
  const run = () =>
    show(attack(classifier, sampleImage(samples, chosen), samples.labels[chosen]!, { kind, epsilon }), kind);
  const choose = (i: number) => {
    thumbCanvases[chosen]?.classList.remove('chosen');
    chosen = i;
    thumbCanvases[i]?.classList.add('chosen');
    run();
  };
  eps.addEventListener('input', () => {
    epsilon = Number(eps.value);
    epsShown.textContent = epsilon.toFixed(2);
    run();
  });
  method.addEventListener('change', () => {
    kind = method.value as AttackKind;
    run();
  });
  choose(0);
  return {
    choose: (i: number) => {
      thumbCanvases[chosen]?.classList.remove('chosen');
      chosen = i;
      thumbCanvases[i]?.classList.add('chosen');
    },
    show: (r: AttackResult, k: AttackKind) => {
      kind = k;
      method.value = k;
      show(r, k);
    },
  };
}
