export { crc32 } from './coding/crc32.js';
export {
  type DecodedTensor,
  type DecodeResult,
  decodeCompressed,
  decodedToTensors,
  decodeEntries,
  describeCompressed,
  entriesToDense,
  readHeader,
  type TensorEntries,
} from './coding/decode.js';
export {
  type EncodeOptions,
  type EncodeResult,
  encodeCompressed,
  type TensorInput,
} from './coding/encode.js';
export { CompressedFileError, type CompressedFileErrorCode } from './coding/errors.js';
export {
  type Encoding,
  type FileHeader,
  FORMAT_NAME,
  MAX_ELEMENTS,
  MAX_HEADER_BYTES,
  type SectionEntry,
  type SectionKind,
  type TensorEntry,
} from './coding/header.js';
export {
  decodeRelativeIndices,
  encodeRelativeIndices,
  type RelativeIndices,
} from './coding/relative-index.js';
export { type SizeReport, type SizeRow, sizeReport, sizeTable } from './coding/sizes.js';
export {
  type Digits,
  type DigitTrainingOptions,
  digitBatch,
  digitErrorRate,
  trainOnDigits,
} from './digits.js';
export {
  type BatchLoopEpoch,
  type BatchLoopOptions,
  type BatchObjective,
  runBatchLoop,
} from './distill/batch-loop.js';
export { type BiasChoice, chooseBiasShift, raiseClassBias, shiftedAccuracy } from './distill/bias.js';
export {
  type DistilData,
  type DistilEpoch,
  type DistilOptions,
  type DistilResult,
  distil,
  tensorData,
} from './distill/distil.js';
export {
  type DropoutEnsembleOptions,
  type DropoutEnsembleRow,
  dropoutEnsembleErrors,
} from './distill/dropout-ensemble.js';
export { argmaxRows, type ErrorCounts, errorCounts, logitsOf } from './distill/evaluate.js';
export { type JitterOptions, jitteredData } from './distill/jitter.js';
export {
  type DistillationLoss,
  type DistillationLossOptions,
  distillationLoss,
  distillationLossOptions,
} from './distill/loss.js';
export { type MlpOptions, mlp, outputLayer } from './distill/mlp.js';
export { type SupervisedEpoch, type SupervisedOptions, trainSupervised } from './distill/supervised.js';
export {
  type DropoutTeacherOptions,
  dropoutTeacher,
  type EnsembleOptions,
  type EnsembleSpace,
  ensembleTeacher,
  type Teacher,
  withMode,
} from './distill/teacher.js';
export {
  type FactorisationCurveOptions,
  type FactorisationPoint,
  type FactorisationProbe,
  factorisationCurve,
} from './factorise/curve.js';
export {
  type KroneckerFactors,
  type KroneckerShape,
  kroneckerDecomposition,
  kroneckerProduct,
  kroneckerShapeFor,
  kroneckerSum,
  nearestKronecker,
  rearrange,
} from './factorise/kronecker.js';
export { KroneckerDense, kroneckerDense } from './factorise/kronecker-dense.js';
export { denseSvd, lowRankDense, lowRankParameters } from './factorise/low-rank.js';
export {
  matMul64,
  reconstruct,
  type Svd,
  type SvdOptions,
  svd,
  truncatedFactors,
  truncationResidual,
} from './factorise/svd.js';
export { huffmanCodeLengths, huffmanDecode, huffmanEncode } from './huffman.js';
export { buildModel, lenet5, lenet300100, MODEL_NAMES, type ModelName } from './models.js';
export { l1Gradient, l1Penalty, l1Proximal } from './prune/l1.js';
export {
  magnitudeMasks,
  type PruneCriterion,
  type PruneRow,
  pruneWeights,
  sparsityMask,
  sparsityOf,
  standardDeviation,
  thresholdMask,
} from './prune/magnitude.js';
export { MaskSet } from './prune/mask-set.js';
export {
  applySchedule,
  constantSparsity,
  iterativePruning,
  oneShot,
  type PolynomialDecayOptions,
  type PruningSchedule,
  polynomialDecay,
} from './prune/schedule.js';
export {
  pruneUnits,
  pruneUnitsByIndex,
  StructuredPruningError,
  type UnitPruningOptions,
  type UnitPruningResult,
  unitNorms,
} from './prune/structured.js';
export { type ParamFilter, prunableWeights } from './prune/weights.js';
export {
  chooseSparsities,
  DEFAULT_SPARSITIES,
  type LayerChoice,
  type SensitivityOptions,
  type SensitivityResult,
  type SensitivityRow,
  sensitivityAnalysis,
  sensitivityCsv,
} from './sensitivity/analysis.js';
export { PLOT_COLOURS, sensitivityPng, sensitivitySvg } from './sensitivity/plot.js';
export {
  type AffineParams,
  affineParamsFromRange,
  calibrate,
  dequantize,
  MinMaxObserver,
  type QuantizeOptions,
  quantize,
} from './share/affine.js';
export {
  initialCentroids,
  type KMeansInit,
  type KMeansOptions,
  type KMeansResult,
  kmeans1d,
} from './share/kmeans.js';
export {
  clusterGradientSums,
  defaultShareBits,
  SharedWeights,
  type ShareOptions,
} from './share/weight-sharing.js';
export {
  CompressedModel,
  CompressedModelError,
  type CompressedModelOptions,
  type LayerMode,
  type LayerPlan,
} from './sparse/compressed-model.js';
export {
  type CsrBuildOptions,
  type CsrMatrix,
  type CsrValues,
  csrFromDense,
  csrFromShared,
  csrMatMulReference,
  csrSparsity,
  csrToDense,
} from './sparse/csr.js';
export { csrKernelFma, csrKernelSupported } from './sparse/csr-kernel.js';
export { SparseDense, type SparseDenseOptions } from './sparse/sparse-dense.js';
export { type SparseMatMulOptions, sparseMatMul, sparseMatMulValues } from './sparse/sparse-matmul.js';
