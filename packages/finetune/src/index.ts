export { layerwiseLearningRates } from './layerwise.js';
export { childModules, namedModules, parameterisedModules } from './module-tree.js';
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
