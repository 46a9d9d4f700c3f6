export { layerwiseLearningRates } from './layerwise.js';
