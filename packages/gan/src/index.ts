export { fganCriticLoss, fganGeneratorLoss } from './fgan.js';
export {
  type DiscriminatorLossOptions,
  discriminatorLoss,
  type GeneratorLossKind,
  generatorLoss,
  type LeastSquaresOptions,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
} from './losses.js';
export {
  type DcganOptions,
  dcganDiscriminator,
  dcganGenerator,
  type MlpOptions,
  mlpDiscriminator,
  mlpGenerator,
} from './nets.js';
