// The compression page: the shipped LeNet-300-100, its sensitivity plot (@lab/compress's PNG), and
// Deep Compression's stages as a size waterfall with the test accuracy at each stage, for a tolerance
// and a codebook size the visitor picks; the compressed file can be downloaded.
import { PLOT_COLOURS, type SensitivityResult, sensitivityPng } from '@lab/compress';
import * as tf from '@tensorflow/tfjs-core';
import {
  accuracy,
  type CompressionResult,
  compressStages,
  type Stage,
  sensitivityOf,
} from './compress-stages.js';
import { fetchBytes, loadImages } from './image-data.js';

export const MNIST_IMAGES = { base: './data/mnist-test-1000', count: 1000 } as const;
export const MNIST_TRAIN = { base: './data/mnist-train-2000', count: 2000 } as const;

export interface CompressPageResult {
  baseline: number;
  sensitivity: SensitivityResult;
  compression: Omit<CompressionResult, 'file' | 'report'> & { ratio: number; fileBytes: number };
  shippedBytes: number;
  leakedTensors: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

function cell(tr: HTMLTableRowElement, text: string, className = '') {
  const td = document.createElement('td');
  td.textContent = text;
  td.className = className;
  tr.appendChild(td);
}

/** Horizontal bars, one per stage, their length the stage's bytes against the first's. */
function drawWaterfall(canvas: HTMLCanvasElement, stages: readonly Stage[]) {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const top = stages[0]!.bytes;
  const row = height / stages.length;
  ctx.font = '12px system-ui, sans-serif';
  stages.forEach((s, i) => {
    const w = Math.max(2, ((width - 170) * s.bytes) / top);
    ctx.fillStyle = i === 0 ? '#999' : '#1a5fd0';
    ctx.fillRect(160, i * row + 4, w, row - 8);
    ctx.fillStyle = '#222';
    ctx.fillText(s.name, 4, i * row + row / 2 + 4);
    ctx.fillText(
      `${kib(s.bytes)}, ${(100 * s.accuracy).toFixed(1)}%`,
      166 + Math.min(w, width - 300),
      i * row + row / 2 + 4,
    );
  });
}

export async function compressPage({ auto }: { auto: boolean }): Promise<CompressPageResult | undefined> {
  const status = $('cmp-status');
  const before = tf.memory().numTensors;
  status.textContent = 'loading the LeNet-300-100 and 1,000 MNIST test images…';
  const [shipped, images, trainImages] = await Promise.all([
    fetchBytes('./models/lenet-300-100.ldcf'),
    loadImages(MNIST_IMAGES.base, MNIST_IMAGES.count),
    loadImages(MNIST_TRAIN.base, MNIST_TRAIN.count),
  ]);
  const train = {
    x: tf.tidy(() => tf.div(tf.tensor2d(trainImages.pixels, [trainImages.count, 784], 'float32'), 255)),
    labels: Int32Array.from(trainImages.labels),
  };
  const x = tf.tidy(() =>
    tf.div(tf.tensor2d(images.pixels, [images.count, 784], 'float32'), 255),
  ) as tf.Tensor2D;
  const labels = tf.tensor1d(Int32Array.from(images.labels), 'int32');
  const evaluate = (net: Parameters<typeof accuracy>[0]) => accuracy(net, x, labels);
  try {
    const sensitivity = await sensitivityOf(shipped, evaluate, (done) => {
      status.textContent = `sensitivity analysis: ${done} of 60 probes`;
    });
    const png = sensitivityPng(sensitivity, { width: 480, height: 300 });
    $<HTMLImageElement>('cmp-sensitivity').src = URL.createObjectURL(
      new Blob([png as BlobPart], { type: 'image/png' }),
    );
    const legend = $('cmp-legend');
    const accuracies = [sensitivity.baseline, ...sensitivity.rows.map((r) => r.accuracy)];
    const axes = document.createElement('div');
    axes.textContent = `x: the layer's sparsity, 0 to 95% (grid every 10%); y: accuracy, ${(100 * Math.min(...accuracies)).toFixed(1)}% to ${(100 * Math.max(...accuracies)).toFixed(1)}%; dashed: no pruning`;
    legend.replaceChildren(
      axes,
      ...[...new Set(sensitivity.rows.map((r) => r.layer))].map((layer, i) => {
        const item = document.createElement('span');
        const [r, g, b] = PLOT_COLOURS[i % PLOT_COLOURS.length]!;
        item.style.color = `rgb(${r}, ${g}, ${b})`;
        item.textContent = `■ ${layer}  `;
        return item;
      }),
    );
    status.textContent = `baseline accuracy ${(100 * sensitivity.baseline).toFixed(1)}% on ${images.count} MNIST test images; the shipped file is ${kib(shipped.length)}`;

    let revoke = () => {};
    const run = async () => {
      const tolerance = Number($<HTMLSelectElement>('cmp-tolerance').value);
      const bits = Number($<HTMLSelectElement>('cmp-bits').value);
      const retrainEpochs = Number($<HTMLSelectElement>('cmp-retrain').value);
      const centroidEpochs = Number($<HTMLSelectElement>('cmp-centroids').value);
      await nextFrame();
      const r = compressStages(shipped, sensitivity, evaluate, {
        tolerance,
        bits,
        retrainEpochs,
        centroidEpochs,
        train,
      });
      drawWaterfall($('cmp-waterfall'), r.stages);
      const rows = $('cmp-stages');
      rows.replaceChildren(
        ...r.stages.map((s) => {
          const tr = document.createElement('tr');
          cell(tr, s.name);
          cell(tr, kib(s.bytes), 'num');
          cell(tr, `${(r.stages[0]!.bytes / s.bytes).toFixed(1)}x`, 'num');
          cell(tr, `${(100 * s.accuracy).toFixed(1)}%`, 'num');
          return tr;
        }),
      );
      $('cmp-sparsities').textContent = `kept per layer: ${Object.entries(r.sparsities)
        .map(([layer, s]) => `${layer} ${(100 * (1 - s)).toFixed(0)}%`)
        .join(', ')}`;
      revoke();
      const url = URL.createObjectURL(new Blob([r.file as BlobPart], { type: 'application/octet-stream' }));
      revoke = () => URL.revokeObjectURL(url);
      const link = $<HTMLAnchorElement>('cmp-download');
      link.href = url;
      link.hidden = false;
      return r;
    };
    for (const id of ['cmp-tolerance', 'cmp-bits', 'cmp-retrain', 'cmp-centroids'])
      $(id).addEventListener('change', () => void run());
    const r = await run();
    if (!auto) return undefined;
    const { file: _file, report, ...rest } = r;
    return {
      baseline: sensitivity.baseline,
      sensitivity,
      compression: { ...rest, ratio: report.ratio, fileBytes: report.fileBytes },
      shippedBytes: shipped.length,
      // the page keeps the test and training images for the controls
      leakedTensors: tf.memory().numTensors - before - 3,
    };
  } catch (e) {
    tf.dispose([x, labels, train.x]);
    throw e;
  }
}
