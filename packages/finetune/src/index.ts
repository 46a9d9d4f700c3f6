export { layerwiseLearningRates } from './layerwise.js';
export { childModules, namedModules, parameterisedModules } from './module-tree.js';
export {
  type LoadReport,
  type ShapeMismatch,
  WeightsFormatError,
  type WeightsFormatErrorCode,
  WeightsMismatchError,
} from './weights/errors.js';
export { permuteAxes } from './weights/layout.js';
export {
  loadSafetensors,
  type NameMap,
  type SafetensorsLoadOptions,
  type SourceLayout,
} from './weights/safetensors-load.js';
