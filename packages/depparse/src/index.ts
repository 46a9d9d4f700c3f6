export {
  ConlluError,
  type ConlluSentence,
  type ConlluWord,
  formatConllu,
  type ParseOptions,
  parseConllu,
  words,
} from './conllu.js';
export { arcHybridCost } from './dynamic-oracle.js';
export { deprojectivize, projectivize } from './projectivize.js';
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
