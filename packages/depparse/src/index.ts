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
} from './conllu.js';
export { arcEagerCost, arcHybridCost, dynamicOracle } from './dynamic-oracle.js';
export {
  EXTRA_POSITIONS,
  extractFeatures,
  type FeatureBuffers,
  featureBuffers,
  LABEL_POSITIONS,
  type SentenceIds,
  TOKEN_POSITIONS,
} from './features.js';
export { type AttachmentScores, attachmentScores, type LabelScore, universalRelation } from './metrics.js';
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
} from './model.js';
export { MAX_MODEL_DIM, MAX_VOCABULARY, ModelFileError } from './model-files.js';
export { MORPHOLOGIES, type Morphology, morphologyKey, splitMorphologyKey } from './morphology.js';
export {
  type ParseOptions,
  Parser,
  type ParserConfig,
  type ParserFileNames,
  type Scorer,
  type Vocabularies,
} from './parser.js';
export { readParserConfig } from './parser-config.js';
export { PrecomputedScorer } from './precompute.js';
export { deprojectivize, projectivize } from './projectivize.js';
export {
  readTaggerConfig,
  Tagger,
  type TaggerConfig,
  tagAccuracy,
  taggerTensorShapes,
  trainTagger,
} from './tagger.js';
export { sentenceFromTokens, sentencesFromText, tokenizeLine } from './tokenize.js';
export {
  buildVocabularies,
  type EpochReport,
  parseWordVectors,
  projectUnseenWords,
  type TrainParserOptions,
  trainParser,
} from './train.js';
export { dependentOf, TransitionSet } from './transition-set.js';
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
} from './transitions.js';
export { NULL_ID, normalizeWord, ROOT_ID, UNK_ID, Vocabulary } from './vocab.js';
