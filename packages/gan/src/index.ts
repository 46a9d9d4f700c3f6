export {
  type DiscriminatorLossOptions,
  discriminatorLoss,
  type GeneratorLossKind,
  generatorLoss,
} from './losses.js';
