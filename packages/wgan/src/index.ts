export {
  criticIterations,
  draganPenalty,
  gradientNormStats,
  type NormStats,
  spearman,
  WGAN_DEFAULTS,
  WGAN_GP_DEFAULTS,
} from './extras.js';
export {
  criticLoss,
  type GradientPenaltyOptions,
  gradientPenalty,
  perSampleGradientNorms,
  wganGeneratorLoss,
} from './losses.js';
export { trainWgan, type WganTrainerOptions } from './trainer.js';
