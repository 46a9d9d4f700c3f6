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
  DCGAN_CHECKPOINT_LIMITS,
  type DcganCheckpointConfig,
  type DcganCheckpointSchema,
  dcganCheckpointConfig,
  type IntegerRange,
} from './checkpoint-config.js';
export {
  acganDiscriminatorLoss,
  acganGeneratorLoss,
  conditionImages,
  conditionLatent,
  embedImages,
  embedLatent,
} from './conditional.js';
export {
  EVALUATOR_FEATURES,
  EVALUATOR_FILE,
  Evaluator,
  type EvaluatorConfig,
  FASHION_MNIST_CLASSES,
  validateEvaluatorConfig,
} from './feature-classifier.js';
export {
  type EvaluatorTrainingOptions,
  evaluatorAccuracy,
  trainEvaluator,
} from './feature-classifier-training.js';
export { frechetDistance, type KidOptions, kernelDistance } from './feature-distances.js';
export { fganCriticLoss, fganGeneratorLoss } from './fgan.js';
export { imagesTensor } from './images.js';
export {
  type DiscriminatorLossOptions,
  discriminatorLoss,
  type GeneratorLossKind,
  generatorLoss,
  hingeDiscriminatorLoss,
  hingeGeneratorLoss,
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
export {
  checkDiffAugmentOptions,
  colorJitter,
  cutout,
  DIFF_AUGMENT_DEFAULTS,
  type DiffAugmentOptions,
  diffAugment,
  translate,
} from './recipes/diff-augment.js';
export {
  copyModuleState,
  emaDecayAt,
  type GeneratorEma,
  type GeneratorEmaRule,
  generatorEma,
} from './recipes/ema.js';
export {
  BASELINE_RECIPE,
  type GanRecipe,
  MODERN_RECIPE,
  RECIPE_ADDITIONS,
  type RecipeAddition,
  recipeWith,
} from './recipes/modern.js';
export { checkR1Options, type R1Options, r1Due, r1Penalty } from './recipes/r1.js';
export {
  baselineRecordedRecipe,
  GAN_RECIPE_NAMES,
  type GanRecipeName,
  NAMED_GAN_RECIPES,
  type RecordedGanRecipe,
  recipeRecordOf,
  recordedGanRecipe,
} from './recipes/record.js';
export { classifierScore, type SampleQuality, sampleQuality } from './sample-quality.js';
export { detach, discriminatorObjective, type GanStepOptions, ganStep } from './step.js';
export { type Density, ganValue, optimalDiscriminator } from './theory.js';
export {
  grid25,
  type ModeReport,
  modeCoverage,
  ring8,
  sampleMixture,
  type ToyMixture,
} from './toy-mixtures.js';
export {
  batchSampler,
  type GanLoss,
  type GanTrainerOptions,
  type GeneratorEmaOptions,
  type RealData,
  trainGan,
} from './trainer.js';
