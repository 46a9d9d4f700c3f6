export {
  ConlluError,
  type ConlluSentence,
  type ConlluWord,
  formatConllu,
  type ParseOptions,
  parseConllu,
  words,
} from './conllu.js';
