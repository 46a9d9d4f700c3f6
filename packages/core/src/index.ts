export {
  type CheckpointContent,
  type CheckpointInfo,
  checkpointToBytes,
  type RestoredCheckpoint,
  type RestoreOptions,
  readCheckpoint,
  restoreCheckpoint,
} from './checkpoint/checkpoint.js';
export { CheckpointError, type CheckpointErrorCode } from './checkpoint/checkpoint-error.js';
export {
  choiceField,
  configObject,
  type IntegerFieldOptions,
  integerField,
  numberField,
} from './checkpoint/config-fields.js';
export { ModelFileError, type ModelFileErrorOptions } from './checkpoint/model-file-error.js';
export {
  type LoadedModule,
  type LoadModuleSpec,
  loadModule,
  MODULE_HEADER_KEY,
  type ModuleFileContents,
  type ModuleKind,
  type SaveModuleOptions,
  saveModule,
} from './checkpoint/module-file.js';
export {
  decodeTensor,
  float16Bits,
  MAX_HEADER_BYTES,
  MAX_RANK,
  parseSafetensors,
  type RawTensor,
  type SafeDtype,
  SafetensorsError,
  type SafetensorsErrorCode,
  serializeSafetensors,
  type TensorEntry,
} from './checkpoint/safetensors.js';
export { type BatchOptions, batches, batchIndices, trainValidationSplit } from './data/batches.js';
export {
  type IdxArray,
  IdxError,
  type ImageDataset,
  imageDatasetFromIdx,
  isGzip,
  MAX_IDX_BYTES,
  parseIdx,
} from './data/idx.js';
export {
  MAX_NPY_HEADER_BYTES,
  NpyError,
  type NpyErrorCode,
  type NpyOptions,
  parseNpy,
} from './data/npy.js';
export {
  type Augmentation,
  type RandomShiftOptions,
  randomShift,
  type Shift,
  shiftImages,
} from './data/shift.js';
export {
  type CompiledSimdKernels,
  type CompileSimdOptions,
  compileSimdKernels,
  decodeBase64,
  type SimdKernelBuilds,
} from './kernels/simd-module.js';
export { cholesky, choleskySolve, symmetricEigen } from './linalg/dense.js';
export { valueAndGrads } from './nn/grad.js';
export {
  fans,
  glorotUniform,
  heNormal,
  type Initializer,
  normal,
  ones,
  torchDefault,
  uniform,
  zeros,
} from './nn/init.js';
export {
  BatchNorm,
  type BatchNormOptions,
  Conv2d,
  type ConvOptions,
  ConvTranspose2d,
  type ConvTransposeOptions,
  Cube,
  Dense,
  type DenseOptions,
  Dropout,
  Embedding,
  Flatten,
  Lambda,
  type LayerInit,
  LayerNorm,
  LeakyReLU,
  type Padding,
  ReLU,
  Reshape,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
} from './nn/layers.js';
export { isModule, Module, ShapeError } from './nn/module.js';
export { type SpectralNormOptions, spectralNormalize } from './nn/spectral.js';
export { adagrad, adam, adamw, rmsprop, type SgdOptions, sgd } from './optim/alias.js';
export {
  applyUpdates,
  chain,
  type GradientTransformation,
  isTensor,
  type Params,
  type ScalarOrSchedule,
  type Schedule,
  stateTensors,
} from './optim/gradient-transformation.js';
export { Optimizer } from './optim/optimizer.js';
export {
  addDecayedWeights,
  addL1,
  clipByGlobalNorm,
  clipByValue,
  clipWeights,
  freeze,
  keepPruned,
  partition,
  scale,
  scaleByAdagrad,
  scaleByAdam,
  scaleByLearningRate,
  scaleByRms,
  traceMomentum,
} from './optim/primitives.js';
export {
  constantSchedule,
  cosineSchedule,
  oneCycleSchedule,
  polynomialSchedule,
  stepSchedule,
} from './optim/schedule.js';
export { type GridOptions, imageGridPng } from './pictures/png.js';
export { curvesSvg, type Series } from './pictures/svg.js';
export { Rng, type RngState } from './random/rng.js';
export { labGradients, labKernels, type RegistrationReport, registerLab } from './register.js';
export { copyTensorData, tensorFromView } from './runtime/copy.js';
export {
  type BackendReport,
  type InitBackendOptions,
  initBackend,
  type WasmFileName,
} from './runtime/init.js';
export {
  DEFAULT_RUNTIME_OPTIONS,
  LabRuntime,
  labRuntime,
  type RuntimeOptions,
} from './runtime/lab-runtime.js';
export {
  type Averager,
  type AveragerOptions,
  type AveragingRule,
  averager,
  type EmaState,
  ema,
  type MeanState,
  polyak,
} from './train/averager.js';
export { type BestWeights, type BestWeightsOptions, bestWeights, keepBest } from './train/best-weights.js';
export { type EarlyStopping, type EarlyStoppingOptions, earlyStopping } from './train/early-stopping.js';
export { gradientStep } from './train/gradient-step.js';
export { type ImprovementOptions, improves } from './train/improvement.js';
export {
  type EpochEvent,
  NonFiniteError,
  runTrainingLoop,
  type StepContext,
  type StepEvent,
  type TrainingHook,
  type TrainingLoopOptions,
  type TrainingResult,
} from './train/loop.js';
