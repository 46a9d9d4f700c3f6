export { draganPenalty } from './dragan-penalty.js';
export { gradientNormStats, type NormStats } from './gradient-norm-stats.js';
export {
  criticLoss,
  type GradientPenaltyOptions,
  gradientPenalty,
  perSampleGradientNorms,
  wganGeneratorLoss,
} from './losses.js';
export { criticIterations, WGAN_DEFAULTS, WGAN_GP_DEFAULTS } from './paper-defaults.js';
export { spearman } from './spearman.js';
export { trainWgan, type WganTrainerOptions } from './trainer.js';
