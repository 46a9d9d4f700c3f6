// The common case in one call, as a thin composition of the pieces: a pretrained Sequential whose
// last layer group is its (new) head, trained by one of four strategies (one of them the baseline it
// must beat: the same network from a fresh initialisation), with a one-cycle schedule, optional weight
// decay and augmentation, an optional validation split, early stopping and the best weights put back.
import {
  adam,
  adamw,
  bestWeights,
  earlyStopping,
  keepBest,
  type Module,
  type ScalarOrSchedule,
  Sequential,
  type TrainingHook,
} from '@lab/core';
import { unfreezeLayers } from '../freeze/freeze.js';
import { layerwiseLearningRates } from '../layerwise.js';
import { oneCycle, scaledSchedule } from '../schedules/schedules.js';
import type { Augmentation } from './augment.js';
import { type ClassifierData, checkClassifierData, validationSplit } from './data.js';
import { type FitResult, fitClassifier } from './fit.js';
import { gradualUnfreezing } from './gradual-unfreezing.js';
import { discriminativeTransform } from './grouped-transform.js';
import { type LayerGroups, layerGroups } from './layer-groups.js';
import { linearProbe } from './probe.js';
import { reinitialize } from './reinit.js';

/**
 * 'scratch': the same network re-initialised, every layer at one rate (the baseline);
 * 'probe': only the head trains, on the body's cached features; 'full': every layer at one rate;
 * 'gradual': top group first, one more group per `unfreezeEvery` epochs, layer-wise rates (ULMFiT).
 */
export type FineTuneStrategy = 'scratch' | 'probe' | 'full' | 'gradual';

export interface FineTuneOptions {
  strategy: FineTuneStrategy;
  epochs: number;
  /** Peak rate of the one-cycle schedule (the top group's, with 'gradual'). Default 1e-3. */
  lr?: number;
  batchSize?: number;
  seed?: number;
  /** Layer groups (default one per layer with parameters); the last is the head. */
  groups?: LayerGroups;
  /** 'gradual': each group below at `decay` times the rate above (default 1/2.6). */
  decay?: number;
  /** 'gradual': epochs between unfreezing one more group (default 1). */
  unfreezeEvery?: number;
  /** 'gradual': steps between unfreezing one more group, instead of epochs (for runs of few epochs). */
  unfreezeEverySteps?: number;
  /** Decoupled weight decay (AdamW's, multiplied by the rate); default 0 (plain Adam). */
  weightDecay?: number;
  /** Applied to each training batch (not with 'probe', whose features are computed once). */
  augment?: Augmentation;
  /** 'scratch': seeds the fresh weights (default `seed`). */
  initSeed?: number;
  /** More training-loop hooks (a progress bar, a logger), run after the recipe's own. */
  hooks?: readonly TrainingHook[];
  /** Validation examples, or a fraction of `data` to hold out (split with `seed`). */
  validation?: ClassifierData | number;
  /** Stop after this many epochs without a lower validation loss (needs validation). */
  patience?: number;
}

export interface FineTuneResult extends FitResult {
  /** The epoch whose weights the model holds now and its validation loss, when there was validation. */
  best?: { score: number; epoch: number };
}

export const FINE_TUNE_STRATEGIES: readonly FineTuneStrategy[] = ['scratch', 'probe', 'full', 'gradual'];

/** The body (every layer before the head group's first top-level layer) and the head, as Sequentials over the same layers. */
function splitAtHead(model: Sequential, head: readonly string[]): { body: Sequential; head: Sequential } {
  const first = Math.min(...head.map((p) => Number(p.split('.')[0])));
  if (!Number.isInteger(first) || first < 1 || first >= model.layers.length)
    throw new RangeError(
      `fineTune: the head group [${head.join(', ')}] must start at a top-level layer after the first`,
    );
  return {
    body: new Sequential(model.layers.slice(0, first)),
    head: new Sequential(model.layers.slice(first)),
  };
}

/** Trains `model` on `data` by `strategy`; with validation, the model ends with its best epoch's weights. */
export function fineTune(model: Module, data: ClassifierData, o: FineTuneOptions): FineTuneResult {
  if (!(model instanceof Sequential)) throw new TypeError('fineTune: model must be a Sequential');
  if (!FINE_TUNE_STRATEGIES.includes(o.strategy))
    throw new RangeError(
      `fineTune: strategy must be one of ${FINE_TUNE_STRATEGIES.join(', ')}, got ${String(o.strategy)}`,
    );
  checkClassifierData(data, 'fineTune');
  const { epochs, lr = 1e-3, batchSize = 32, seed = 0 } = o;
  if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`fineTune: lr must be positive, got ${lr}`);
  if (o.patience !== undefined && o.validation === undefined)
    throw new RangeError('fineTune: patience needs validation');
  const weightDecay = o.weightDecay ?? 0;
  if (!(weightDecay >= 0) || !Number.isFinite(weightDecay))
    throw new RangeError(`fineTune: weightDecay must be >= 0, got ${o.weightDecay}`);
  if (o.augment && o.strategy === 'probe')
    throw new RangeError("fineTune: augment cannot be used with 'probe' (its features are computed once)");
  const optimizer = (rate: ScalarOrSchedule) => (weightDecay > 0 ? adamw(rate, { weightDecay }) : adam(rate));
  const groups = layerGroups(model, o.groups);
  const split = typeof o.validation === 'number' ? validationSplit(data, o.validation, seed) : undefined;
  const train = split?.train ?? data;
  const validation = split?.validation ?? (o.validation as ClassifierData | undefined);
  const { body, head } = splitAtHead(model, groups.at(-1)!);
  const steps = Math.max(1, epochs * Math.ceil(train.labels.length / batchSize));
  const schedule = oneCycle(lr, steps).lr;
  const keeper = validation
    ? bestWeights(o.strategy === 'probe' ? head.parameters() : model.parameters(), { mode: 'min' })
    : undefined;
  const hooks: TrainingHook[] = [];
  if (keeper) hooks.push(keepBest(keeper, 'loss'));
  if (o.patience !== undefined)
    hooks.push(earlyStopping({ metric: 'loss', mode: 'min', patience: o.patience }));
  if (o.hooks) hooks.push(...o.hooks);
  try {
    const common = { epochs, batchSize, seed, validation, hooks };
    const fitCommon = { ...common, augment: o.augment };
    let result: FitResult;
    if (o.strategy === 'probe') {
      result = linearProbe({ body, head, data: train, transform: optimizer(schedule), ...common });
    } else if (o.strategy === 'full' || o.strategy === 'scratch') {
      if (o.strategy === 'scratch') reinitialize(model, { seed: o.initSeed ?? seed });
      unfreezeLayers(model);
      result = fitClassifier({ module: model, data: train, transform: optimizer(schedule), ...fitCommon });
    } else {
      const rates = layerwiseLearningRates(1, groups.length, o.decay).map((f) => scaledSchedule(schedule, f));
      const unfreezing = gradualUnfreezing(model, groups, {
        every: o.unfreezeEvery ?? 1,
        ...(o.unfreezeEverySteps === undefined ? {} : { everySteps: o.unfreezeEverySteps }),
      });
      result = fitClassifier({
        module: model,
        data: train,
        transform: discriminativeTransform(groups, rates, optimizer),
        ...fitCommon,
        hooks: [unfreezing, ...hooks],
      });
    }
    keeper?.restore();
    return { ...result, best: keeper?.best };
  } finally {
    keeper?.dispose();
    if (split) {
      split.train.x.dispose();
      split.validation.x.dispose();
    }
  }
}
