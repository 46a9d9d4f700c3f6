export {
  type BeamItem,
  type BeamModel,
  type BeamOptions,
  beamSearch,
  MAX_BEAM_WIDTH,
} from './beam/beam-search.js';
export { type BeamUpdate, beamUpdates, type UpdateRule } from './beam/beam-update.js';
export { goldPath, replayPath } from './beam/gold-path.js';
export {
  STRUCTURED_KIND,
  type StructuredConfig,
  StructuredOutput,
  type StructuredTraining,
} from './beam/structured-output.js';
export {
  type AttachmentScores,
  attachmentScores,
  type LabelScore,
  universalRelation,
} from './evaluation/metrics.js';
export { PrecomputedScorer } from './fast-path/precompute.js';
export {
  EXTRA_POSITIONS,
  extractFeatures,
  type FeatureBuffers,
  featureBuffers,
  LABEL_POSITIONS,
  type SentenceIds,
  TOKEN_POSITIONS,
} from './model/features.js';
export {
  type Activation,
  type ContextConfig,
  type ContextLayout,
  contextLayout,
  DEFAULT_NET,
  type FeatureTensors,
  type NetConfig,
  ParserNet,
  parserTensorShapes,
} from './model/model.js';
export {
  MAX_MODEL_DIM,
  MAX_VOCABULARY,
  ModelFileError,
  type ModelFileNames,
  type ModelFiles,
} from './model/model-files.js';
export {
  PARSER_FILES,
  type ParseOptions,
  Parser,
  type ParserConfig,
  type ParserFileNames,
  type Scorer,
  type Vocabularies,
} from './model/parser.js';
export { readParserConfig } from './model/parser-config.js';
export {
  readTaggerConfig,
  TAGGER_FILES,
  Tagger,
  type TaggerConfig,
  tagAccuracy,
  taggerTensorShapes,
  trainTagger,
} from './model/tagger.js';
export { NULL_ID, normalizeWord, ROOT_ID, UNK_ID, Vocabulary } from './model/vocab.js';
export {
  CONLLU_COLUMNS,
  ConlluError,
  type ConlluSentence,
  type ConlluWord,
  decodeText,
  formatConllu,
  MAX_SENTENCE_WORDS,
  type ParseOptions as ConlluParseOptions,
  parseConllu,
  readConllu,
  words,
} from './text/conllu.js';
export { MORPHOLOGIES, type Morphology, morphologyKey, splitMorphologyKey } from './text/morphology.js';
export { sentenceFromTokens, sentencesFromText, tokenizeLine } from './text/tokenize.js';
export { AveragedPerceptron } from './training/averaged-perceptron.js';
export {
  LR_SCHEDULE_NAMES,
  type LrScheduleName,
  type NamedOptimizerOptions,
  namedOptimizer,
  OPTIMIZER_NAMES,
  type OptimizerFactory,
  type OptimizerName,
} from './training/optimizer.js';
export type { StructuredEpochReport, StructuredOptions } from './training/structured-data.js';
export { type GlobalOptions, globalLoss, trainGlobal } from './training/structured-global.js';
export { type PerceptronOptions, trainPerceptron } from './training/structured-perceptron.js';
export {
  buildVocabularies,
  type EpochReport,
  parseWordVectors,
  projectUnseenWords,
  type TrainParserOptions,
  trainParser,
} from './training/train.js';
export { arcEagerCost, arcHybridCost, dynamicOracle } from './transitions/dynamic-oracle.js';
export { deprojectivize, projectivize } from './transitions/projectivize.js';
export { dependentOf, TransitionSet } from './transitions/transition-set.js';
export {
  arcEager,
  arcHybrid,
  arcStandard,
  Configuration,
  finalize,
  isProjective,
  type Move,
  oracleParse,
  SYSTEMS,
  type SystemName,
  type Transition,
  type TransitionSystem,
} from './transitions/transitions.js';
