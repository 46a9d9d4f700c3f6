// W6 `finetune` of ../shared/BENCHMARKS.md (issue 19, part 5): pretrain the peer's convnet on
// Fashion-MNIST classes 0-4, then learn classes 5-9 from k labelled images per class by four
// strategies with one step budget, over several seeds; and Yosinski et al.'s (2014) layer-transfer
// experiment (AnB, AnB+, BnB, BnB+) on the same split.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adam, type ImageDataset, Rng, type Sequential } from '@lab/core';
import { loadMnistSplit } from '@lab/core/node';
import { findSharedData } from '@lab/core/testing';
import {
  type ClassifierData,
  evaluateClassifier,
  type FineTuneStrategy,
  fineTune,
  fitClassifier,
  freezeLayers,
  randomShift,
  subset,
} from '@lab/finetune';
import type { Tensor } from '@tensorflow/tfjs-core';
import { startFinetunePeer } from './finetune-peer.js';
import { finetunePlots } from './finetune-plot.js';
import {
  type FinetuneLine,
  finetuneLine,
  finetuneTable,
  type LabelsPerClass,
  type SeedRun,
  STRATEGIES,
  type Strategy,
  TRANSFER_VARIANTS,
  type TransferLine,
  type TransferVariant,
  transferLine,
  transferTable,
} from './finetune-report.js';
import {
  classifierData,
  convnet,
  DEPTH,
  indicesOfClasses,
  LAYER_INDICES,
  pickPerClass,
} from './finetune-setup.js';

/** One strategy's hyperparameters. */
export interface StrategyConfig {
  /** Peak rate of the one-cycle schedule (the top group's for 'gradual'). */
  lr: number;
  /** AdamW's decoupled weight decay (0: Adam). */
  weightDecay: number;
  /** Random shifts of up to this many pixels per training image (0: none; never for the probe). */
  shift: number;
}

/**
 * The configurations used without `--tune`: set before measuring (one-cycle peaks a little above
 * Adam's usual 1e-3 for the nets that start fresh or from a new head, a lower one for full
 * fine-tuning, which the pretrained body should not leave far behind; shifts for all that train the
 * body; and for scratch, the baseline, weight decay on top). `--tune` chooses from TUNE_GRID instead.
 */
export const DEFAULT_CONFIGS: Readonly<Record<Strategy, StrategyConfig>> = {
  scratch: { lr: 3e-3, weightDecay: 1e-2, shift: 2 },
  probe: { lr: 1e-2, weightDecay: 0, shift: 0 },
  finetune: { lr: 1e-3, weightDecay: 0, shift: 2 },
  gradual: { lr: 3e-3, weightDecay: 0, shift: 2 },
};

/**
 * The grids `--tune` searches: two rates each; the strategies that train the body use random shifts,
 * and scratch, the baseline every other figure is measured against, also gets the choice of weight
 * decay with shifts or neither.
 */
export const TUNE_GRID: Readonly<Record<Strategy, readonly StrategyConfig[]>> = {
  scratch: [1e-3, 3e-3].flatMap((lr) => [
    { lr, weightDecay: 0, shift: 0 },
    { lr, weightDecay: 1e-2, shift: 2 },
  ]),
  probe: [3e-3, 3e-2].map((lr) => ({ lr, weightDecay: 0, shift: 0 })),
  finetune: [3e-4, 1e-3].map((lr) => ({ lr, weightDecay: 0, shift: 2 })),
  gradual: [1e-3, 3e-3].map((lr) => ({ lr, weightDecay: 0, shift: 2 })),
};

export interface FinetuneBenchOptions {
  labels: readonly LabelsPerClass[];
  seeds: number;
  firstSeed: number;
  /** Steps per strategy per run (batches of min(64, n); whole epochs, at least one). */
  steps: number;
  /** Steps of pretraining on task A (and of the base B network). */
  pretrainSteps: number;
  peer: boolean;
  /** Yosinski et al.'s layer transfer. */
  transfer: boolean;
  transferLabels: LabelsPerClass;
  transferSeeds: number;
  transferSteps: number;
  tune: boolean;
  /** Directory for the tables and plots. */
  out: string;
  quiet: boolean;
  /** Receives each JSON line as it is ready. */
  emit: (line: object) => void;
}

const BATCH = 64;
const PRETRAIN_LR = 1e-3;
/** 'finetune' in the report is fineTune's 'full'. */
const RECIPE: Record<Strategy, FineTuneStrategy> = {
  scratch: 'scratch',
  probe: 'probe',
  finetune: 'full',
  gradual: 'gradual',
};

/**
 * The schedule of `steps` batches of min(64, n): whole epochs (at least one) when the data is smaller
 * than the steps can cover; otherwise one epoch over `examples` images drawn at random (every image
 * is still seen at most once, as in a partial epoch over all of them).
 */
export function budget(
  n: number,
  steps: number,
): { batchSize: number; epochs: number; steps: number; examples: number } {
  const batchSize = Math.min(BATCH, n);
  if (n >= steps * batchSize) return { batchSize, epochs: 1, steps, examples: steps * batchSize };
  const perEpoch = Math.ceil(n / batchSize);
  const epochs = Math.max(1, Math.round(steps / perEpoch));
  return { batchSize, epochs, steps: epochs * perEpoch, examples: n };
}

/** `data` cut to the budget's examples (a random subset drawn with `seed`, a new tensor), or `data` itself. */
function withinBudget(data: ClassifierData, examples: number, seed: number): ClassifierData {
  if (examples >= data.labels.length) return data;
  return subset(data, new Rng(seed).permutation(data.labels.length).slice(0, examples));
}

type Weights = Map<string, Tensor>;

function snapshot(model: Sequential): Weights {
  return new Map(Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()]));
}

/** Copies the first `n` parameterised layers (conv1, conv2, fc) of `from` into `model`. */
function copyLayers(model: Sequential, from: Weights, n: number): void {
  const state = model.stateDict();
  for (const i of LAYER_INDICES.slice(0, n))
    for (const name of ['weight', 'bias']) state[`${i}.${name}`]!.assign(from.get(`${i}.${name}`)!);
}

function dispose(w: Weights) {
  for (const t of w.values()) t.dispose();
}

function disposeData(...ds: ClassifierData[]) {
  for (const d of ds) d.x.dispose();
}

interface Splits {
  train: ImageDataset;
  test: ImageDataset;
  testB: ClassifierData;
}

/** Trains a fresh convnet on all images of classes [from, from + 5) for `steps`; returns its weights and test accuracy. */
function trainBase(s: Splits, from: number, steps: number, seed: number, log: (m: string) => void) {
  const all = classifierData(s.train, indicesOfClasses(s.train.labels, from, from + 5), from);
  const b = budget(all.labels.length, steps);
  const data = withinBudget(all, b.examples, seed);
  if (data !== all) disposeData(all);
  const test = classifierData(s.test, indicesOfClasses(s.test.labels, from, from + 5), from);
  const model = convnet(5, seed);
  const t0 = performance.now();
  fitClassifier({
    module: model,
    data,
    transform: adam(PRETRAIN_LR),
    epochs: b.epochs,
    batchSize: b.batchSize,
    seed,
    onEpoch: (e) =>
      log(
        `  base ${from === 0 ? 'A' : 'B'}: epoch ${e.epoch + 1}/${b.epochs}, loss ${e.means.loss?.toFixed(3)}`,
      ),
  });
  const accuracy = evaluateClassifier(model, test).accuracy;
  log(
    `  base ${from === 0 ? 'A' : 'B'}: ${(100 * accuracy).toFixed(1)}% in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  const weights = snapshot(model);
  model.dispose();
  disposeData(data, test);
  return { weights, accuracy };
}

/** One strategy on one labelled set: a fresh head (and, but for scratch, the pretrained body), its accuracy on B's test images. */
export function runStrategy(
  strategy: Strategy,
  config: StrategyConfig,
  pretrained: Weights,
  all: ClassifierData,
  testB: ClassifierData,
  o: { steps: number; seed: number },
): { accuracy: number; steps: number } {
  const model = convnet(5, 100 + o.seed);
  let data = all;
  try {
    if (strategy !== 'scratch') copyLayers(model, pretrained, DEPTH);
    const b = budget(all.labels.length, o.steps);
    data = withinBudget(all, b.examples, o.seed);
    fineTune(model, data, {
      strategy: RECIPE[strategy],
      epochs: b.epochs,
      batchSize: b.batchSize,
      seed: o.seed,
      initSeed: 100 + o.seed,
      lr: config.lr,
      weightDecay: config.weightDecay,
      augment:
        config.shift > 0 && strategy !== 'probe'
          ? randomShift({ maxShift: config.shift, seed: o.seed })
          : undefined,
      // unfreeze one group down at even intervals over the first half of the budget: by epoch, or by
      // step when the budget is too few epochs for that (k = all: one epoch would train the head only)
      ...(b.epochs >= 2 * DEPTH
        ? { unfreezeEvery: Math.floor(b.epochs / (2 * DEPTH)) }
        : { unfreezeEverySteps: Math.max(1, Math.floor(b.steps / (2 * DEPTH))) }),
    });
    return { accuracy: evaluateClassifier(model, testB).accuracy, steps: b.steps };
  } finally {
    model.dispose();
    if (data !== all) disposeData(data);
  }
}

/** The best config of each strategy's grid at k = 10 (seed 1000), scored on 1,000 other task-B training images. */
function tune(s: Splits, pretrained: Weights, steps: number, log: (m: string) => void) {
  const picks = pickPerClass(s.train.labels, 5, 10, 10, 1000);
  const taken = new Set(picks);
  const rest = indicesOfClasses(s.train.labels, 5, 10).filter((i) => !taken.has(i));
  const heldOut = pickPerClass(
    Int32Array.from(rest, (i) => s.train.labels[i]!),
    5,
    10,
    200,
    1001,
  ).map((j) => rest[j]!);
  const data = classifierData(s.train, picks, 5);
  const validation = classifierData(s.train, heldOut, 5);
  const chosen = {} as Record<Strategy, StrategyConfig>;
  const scores = {} as Record<Strategy, { config: StrategyConfig; accuracy: number }[]>;
  for (const strategy of STRATEGIES) {
    scores[strategy] = TUNE_GRID[strategy].map((config) => {
      const { accuracy } = runStrategy(strategy, config, pretrained, data, validation, { steps, seed: 1000 });
      log(`  tune ${strategy} ${JSON.stringify(config)}: ${(100 * accuracy).toFixed(1)}%`);
      return { config, accuracy };
    });
    chosen[strategy] = scores[strategy].reduce((a, b) => (b.accuracy > a.accuracy ? b : a)).config;
  }
  disposeData(data, validation);
  return { chosen, scores };
}

/** Writes `bytes` to `path` through a temporary name, so a reader never sees half a file. */
function writeAtomic(path: string, bytes: string | Uint8Array) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** Runs the experiment; emits the lines as they are ready; writes tables and plots to `o.out`. */
export async function finetuneBench(
  o: FinetuneBenchOptions,
): Promise<{ lines: FinetuneLine[]; transfer: TransferLine[] }> {
  const log = (m: string) => {
    if (!o.quiet) process.stderr.write(`${m}\n`);
  };
  const shared = findSharedData();
  const numericKs = o.labels.filter((k): k is number => k !== 'all');
  const peer = o.peer
    ? startFinetunePeer(join(shared, '..'), numericKs, (m) => process.stderr.write(m))
    : null;
  if (o.peer && !peer) log('finetune: the PyTorch peer is not available; peer fields are null');
  const dir = join(shared, 'fashion-mnist');
  const train = loadMnistSplit(dir, 'train');
  const test = loadMnistSplit(dir, 'test');
  const testB = classifierData(test, indicesOfClasses(test.labels, 5, 10), 5);
  const s: Splits = { train, test, testB };
  const t0 = performance.now();
  const lines: FinetuneLine[] = [];
  const transfer: TransferLine[] = [];
  log('finetune: pretraining on task A (classes 0-4)');
  const A = trainBase(s, 0, o.pretrainSteps, 0, log);
  try {
    let configs: Record<Strategy, StrategyConfig> = { ...DEFAULT_CONFIGS };
    if (o.tune) {
      const { chosen, scores } = tune(s, A.weights, o.steps, log);
      configs = chosen;
      o.emit({ workload: 'finetune-tune', labels_per_class: 10, steps: o.steps, chosen, scores });
    }
    for (const k of o.labels) {
      const runs: SeedRun[] = [];
      for (let seed = o.firstSeed; seed < o.firstSeed + o.seeds; seed++) {
        const data = classifierData(train, pickPerClass(train.labels, 5, 10, k, seed), 5);
        const accuracy = {} as Record<Strategy, number>;
        let steps = 0;
        for (const strategy of STRATEGIES) {
          const r = runStrategy(strategy, configs[strategy], A.weights, data, testB, {
            steps: o.steps,
            seed,
          });
          accuracy[strategy] = r.accuracy;
          steps = r.steps;
          log(`  k=${k} seed ${seed} ${strategy}: ${(100 * r.accuracy).toFixed(1)}%`);
        }
        disposeData(data);
        runs.push({ seed, accuracy, steps });
      }
      const peerLine = k === 'all' ? undefined : await peer?.lineFor(k);
      const line = finetuneLine(k, runs, {
        seconds: (performance.now() - t0) / 1000,
        taskA: A.accuracy,
        peer: peerLine,
      });
      lines.push(line);
      o.emit(line);
    }
    if (o.transfer) transfer.push(...layerTransfer(s, A.weights, o, t0, log));
  } finally {
    peer?.stop();
    dispose(A.weights);
    disposeData(testB);
  }
  mkdirSync(o.out, { recursive: true });
  const tables = `${finetuneTable(lines)}${transfer.length ? `\n${transferTable(transfer)}` : ''}`;
  process.stderr.write(`\n${tables}`);
  writeAtomic(join(o.out, 'finetune.md'), tables);
  for (const [name, png] of Object.entries(finetunePlots(lines, transfer)))
    writeAtomic(join(o.out, name), png);
  log(`finetune: tables and plots in ${o.out}`);
  return { lines, transfer };
}

/**
 * Yosinski et al. (2014), their Figure 2 on this split: networks whose first n layers come from the
 * base A (AnB) or base B (BnB) network, frozen, or fine-tuned with the rest (+); the layers above are
 * new and train on B.
 */
function layerTransfer(
  s: Splits,
  weightsA: Weights,
  o: FinetuneBenchOptions,
  t0: number,
  log: (m: string) => void,
): TransferLine[] {
  log('finetune: base B network for the layer-transfer experiment');
  const B = trainBase(s, 5, o.pretrainSteps, 1, log);
  const out: TransferLine[] = [];
  try {
    for (let n = 1; n <= DEPTH; n++) {
      const runs: ({ seed: number } & Record<TransferVariant, number>)[] = [];
      let steps = 0;
      for (let seed = o.firstSeed; seed < o.firstSeed + o.transferSeeds; seed++) {
        const all = classifierData(s.train, pickPerClass(s.train.labels, 5, 10, o.transferLabels, seed), 5);
        const b = budget(all.labels.length, o.transferSteps);
        const data = withinBudget(all, b.examples, seed);
        if (data !== all) disposeData(all);
        steps = b.steps;
        const run = { seed } as { seed: number } & Record<TransferVariant, number>;
        for (const variant of TRANSFER_VARIANTS) {
          const model = convnet(5, 200 + seed);
          copyLayers(model, variant.startsWith('A') ? weightsA : B.weights, n);
          if (!variant.endsWith('+'))
            freezeLayers(model, new RegExp(`^(${LAYER_INDICES.slice(0, n).join('|')})\\.`));
          fitClassifier({
            module: model,
            data,
            transform: adam(PRETRAIN_LR),
            epochs: b.epochs,
            batchSize: b.batchSize,
            seed,
          });
          run[variant] = evaluateClassifier(model, s.testB).accuracy;
          model.dispose();
          log(`  n=${n} seed ${seed} ${variant}: ${(100 * run[variant]).toFixed(1)}%`);
        }
        disposeData(data);
        runs.push(run);
      }
      const line = transferLine(n, runs, {
        baseB: B.accuracy,
        labelsPerClass: o.transferLabels,
        steps,
        seconds: (performance.now() - t0) / 1000,
      });
      out.push(line);
      o.emit(line);
    }
  } finally {
    dispose(B.weights);
  }
  return out;
}
