export { holdInInference, isHeldInInference, releaseFromInference } from './freeze/batchnorm-mode.js';
export {
  type FreezeOptions,
  type FreezeReport,
  type FrozenBatchNorm,
  freezeLayers,
  freezeTo,
  patternRegExp,
  unfreezeLayers,
} from './freeze/freeze.js';
export { layerwiseLearningRates } from './layerwise.js';
export { TRANSFER_CONVNET_LAYERS, transferConvnet } from './models/transfer-convnet.js';
export { childModules, namedModules, parameterisedModules } from './module-tree.js';
export {
  CHART_COLOURS,
  type ChartSeries,
  type LineChartOptions,
  lineChartPixels,
  lineChartPng,
  type Rgb,
} from './plot/line-chart.js';
export { adamWithMomentumSchedule, scaleByAdamScheduledMomentum } from './schedules/adam-momentum.js';
export {
  cosineWithWarmup,
  linearWarmup,
  type OneCycle,
  type OneCycleOptions,
  oneCycle,
  scaledSchedule,
} from './schedules/schedules.js';
export { appendLayers, type CutOptions, type CutResult, cutAt } from './surgery/cut.js';
export { SurgeryError } from './surgery/errors.js';
export {
  overlapByLabel,
  type ReplaceHeadOptions,
  type ReplaceHeadResult,
  replaceHead,
} from './surgery/head.js';
export { type LocatedLayer, locateLayer } from './surgery/locate.js';
export { outputShape } from './surgery/output-shape.js';
export {
  type Augmentation,
  type RandomShiftOptions,
  randomShift,
  type Shift,
  shiftImages,
} from './train/augment.js';
export { softmaxCrossEntropy } from './train/cross-entropy.js';
export { type ClassifierData, subset, validationSplit } from './train/data.js';
export {
  FINE_TUNE_STRATEGIES,
  type FineTuneOptions,
  type FineTuneResult,
  type FineTuneStrategy,
  fineTune,
} from './train/fine-tune.js';
export { evaluateClassifier, type FitOptions, type FitResult, fitClassifier } from './train/fit.js';
export {
  type GradualUnfreezing,
  type GradualUnfreezingOptions,
  gradualUnfreezing,
  unfrozenGroupsAt,
} from './train/gradual-unfreezing.js';
export { discriminativeTransform, partitionSkippingFrozen } from './train/grouped-transform.js';
export {
  groupOfParameter,
  groupParameterNames,
  type LayerGroups,
  layerGroups,
} from './train/layer-groups.js';
export { extractFeatures, type LinearProbeOptions, linearProbe } from './train/probe.js';
export { type ReinitializeOptions, reinitialize } from './train/reinit.js';
export {
  type LoadReport,
  type ShapeMismatch,
  WeightsFormatError,
  type WeightsFormatErrorCode,
  WeightsMismatchError,
} from './weights/errors.js';
export { type KerasLoadOptions, loadKerasWeights } from './weights/keras-load.js';
export { permuteAxes } from './weights/layout.js';
export {
  loadSafetensors,
  type NameMap,
  type SafetensorsLoadOptions,
  type SourceLayout,
} from './weights/safetensors-load.js';
export {
  type KerasLayerInfo,
  kerasLayers,
  readTfjsLayersModel,
  type ShardSource,
  type TfjsLayersModel,
  type TfjsWeight,
  tfjsWeights,
} from './weights/tfjs-layers.js';
