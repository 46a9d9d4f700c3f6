export {
  type AdversarialTrainingOptions,
  type AttackOptions,
  accuracy,
  adversarialExamples,
  adversarialTrainingLoss,
  fgsm,
  type Logits,
  type PgdOptions,
  pgd,
  robustAccuracy,
} from './adversarial.js';
export {
  acganDiscriminatorLoss,
  acganGeneratorLoss,
  conditionImages,
  conditionLatent,
  embedImages,
  embedLatent,
} from './conditional.js';
export {
  frechetDistance,
  grid25,
  type KidOptions,
  kernelDistance,
  type ModeReport,
  modeCoverage,
  ring8,
  sampleMixture,
  type ToyMixture,
} from './evaluation.js';
export {
  classifierScore,
  EVALUATOR_FEATURES,
  Evaluator,
  type EvaluatorTrainingOptions,
  evaluatorAccuracy,
  imagesTensor,
  type SampleQuality,
  sampleQuality,
  trainEvaluator,
} from './evaluator.js';
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
  type DcganPadding,
  dcganDiscriminator,
  dcganGenerator,
  type MlpOptions,
  mlpDiscriminator,
  mlpGenerator,
} from './nets.js';
export { detach, type GanStepOptions, ganStep } from './step.js';
export { type Density, ganValue, optimalDiscriminator } from './theory.js';
export { batchSampler, type GanLoss, type GanTrainerOptions, type RealData, trainGan } from './trainer.js';
