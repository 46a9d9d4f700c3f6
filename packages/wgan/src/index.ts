export {
  criticLoss,
  type GradientPenaltyOptions,
  gradientPenalty,
  wganGeneratorLoss,
} from './losses.js';
