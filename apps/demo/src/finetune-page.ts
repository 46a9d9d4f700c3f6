// The fine-tuning page: pick how many labelled images per task-B class, and @lab/finetune's fineTune
// trains the pretrained task-A network with a new 5-class head by each chosen strategy ('probe': the
// head on the frozen body's features; 'full': every layer; 'gradual': top group first, one more per
// epoch, layer-wise rates). Accuracy on the task-B test images after every epoch, one curve each.

import { Rng } from '@lab/core';
import { type FineTuneStrategy, fineTune, replaceHead } from '@lab/finetune';
import * as tf from '@tensorflow/tfjs-core';
import { examples, labelledIndices, loadTaskANet, taskBSplit } from './finetune-task.js';
import { GAN_IMAGES } from './gan-page.js';
import { fetchBytes, loadImages } from './image-data.js';
import { drawSeries } from './plot.js';

// a probe trains only a head on fixed features, so it takes a larger rate than the whole network
const STRATEGIES: readonly { id: FineTuneStrategy; colour: string; label: string; lr: number }[] = [
  { id: 'probe', colour: '#1a5fd0', label: 'linear probe', lr: 2e-2 },
  { id: 'full', colour: '#c0392b', label: 'full fine-tuning', lr: 3e-3 },
  { id: 'gradual', colour: '#27ae60', label: 'gradual unfreezing', lr: 3e-3 },
];

export interface StrategyResult {
  strategy: FineTuneStrategy;
  /** Test accuracy after each epoch. */
  curve: number[];
  final: number;
  seconds: number;
}

export interface FineTuneRun {
  labelsPerClass: number;
  epochs: number;
  testImages: number;
  results: StrategyResult[];
  /** Tensors alive after the run minus before (0: leak-free). */
  leakedTensors: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

export async function fineTunePage({ auto }: { auto: boolean }): Promise<FineTuneRun | undefined> {
  const status = $('ft-status');
  status.textContent = 'loading the pretrained network and the images…';
  const [weights, images] = await Promise.all([
    fetchBytes('./models/finetune-task-a.safetensors'),
    loadImages(GAN_IMAGES.base, GAN_IMAGES.count),
  ]);
  loadTaskANet(weights).dispose(); // fail early, and visibly, on a bad file
  const split = taskBSplit(images.labels);
  status.textContent = `task B: ${split.test.length} test images; pick labels per class and strategies`;

  const run = async (): Promise<FineTuneRun> => {
    const labelsPerClass = Number($<HTMLSelectElement>('ft-labels').value);
    const epochs = Number($<HTMLSelectElement>('ft-epochs').value);
    const chosen = STRATEGIES.filter((s) => $<HTMLInputElement>(`ft-${s.id}`).checked);
    const before = tf.memory().numTensors;
    const train = examples(images, labelledIndices(split, labelsPerClass));
    const test = examples(images, split.test);
    const results: StrategyResult[] = [];
    const rows = $('ft-results');
    rows.replaceChildren();
    try {
      for (const s of chosen) {
        status.textContent = `${s.label}: training on ${train.labels.length} images for ${epochs} epochs…`;
        await nextFrame();
        // every strategy starts from the same pretrained weights and the same new head
        const { model, oldHead } = replaceHead(loadTaskANet(weights), 5, { rng: new Rng(11) });
        oldHead.dispose();
        const t0 = performance.now();
        try {
          const r = fineTune(model, train, {
            strategy: s.id,
            epochs,
            lr: s.lr,
            batchSize: 16,
            seed: 1,
            validation: test,
          });
          const curve = r.history.map((e) => e.validation?.accuracy ?? Number.NaN);
          results.push({
            strategy: s.id,
            curve,
            final: curve.at(-1)!,
            seconds: (performance.now() - t0) / 1000,
          });
        } finally {
          model.dispose();
        }
        const last = results.at(-1)!;
        const tr = document.createElement('tr');
        for (const text of [
          s.label,
          `${(100 * last.final).toFixed(1)}%`,
          `${(100 * Math.max(...last.curve)).toFixed(1)}%`,
          `${last.seconds.toFixed(1)} s`,
        ]) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.appendChild(td);
        }
        rows.appendChild(tr);
        drawSeries(
          $('ft-curves'),
          results.map((r) => {
            const style = STRATEGIES.find((x) => x.id === r.strategy)!;
            return { values: r.curve, colour: style.colour, label: style.label };
          }),
          'task-B test accuracy by epoch',
        );
      }
    } finally {
      tf.dispose([train.x, test.x]);
    }
    status.textContent = `${labelsPerClass} labelled image(s) per class, ${epochs} epochs; accuracy on ${split.test.length} task-B test images`;
    return {
      labelsPerClass,
      epochs,
      testImages: split.test.length,
      results,
      leakedTensors: tf.memory().numTensors - before,
    };
  };
  const button = $<HTMLButtonElement>('ft-run');
  button.addEventListener('click', () => {
    button.disabled = true;
    run()
      .catch((e) => {
        $('ft-error').textContent = String(e);
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  return auto ? run() : undefined;
}
