// The schema of a parser model's config.json: every field's type and range, checked before anything
// is built from it (a width of 10^6 or a negative size is a clear error, not a hang or a kernel crash).

import { MORPHOLOGIES } from '../text/morphology.js';
import { SYSTEMS, type SystemName } from '../transitions/transitions.js';
import { CONTEXT_POSITIONS } from './features.js';
import type { Activation, ContextConfig, NetConfig } from './model.js';
import { JsonFields, MAX_MODEL_DIM, MAX_VOCABULARY } from './model-files.js';
import type { ParserConfig } from './parser.js';

const ACTIVATIONS: readonly Activation[] = ['cube', 'relu', 'tanh'];
/** Most convolutions and widest window a context encoder in a file may have. */
const MAX_CONTEXT_LAYERS = 64;
const MAX_CONTEXT_WIDTH = 255;

/**
 * A parser's config (parsed JSON: the weights file's header config, or config.json of older models)
 * as a ParserConfig, or a ModelFileError naming `file` and the field (under `path`).
 */
export function readParserConfig(json: unknown, file = 'config.json', path = ''): ParserConfig {
  const root = JsonFields.of(file, path, json);
  root.only(['system', 'pseudoProjective', 'morphology', 'net']);
  const system = root.choice('system', Object.keys(SYSTEMS) as SystemName[]);
  const pseudoProjective = root.bool('pseudoProjective');
  const morphology = root.has('morphology') ? root.choice('morphology', MORPHOLOGIES) : undefined;
  const n = root.object('net');
  n.only([
    'wordDim',
    'tagDim',
    'labelDim',
    'extraDim',
    'hidden',
    'activation',
    'activation2',
    'dropout',
    'context',
    'words',
    'upos',
    'xpos',
    'labels',
    'transitions',
  ]);
  const hidden = n.array('hidden', 'layer sizes');
  if (hidden.length < 1 || hidden.length > 2)
    n.fail('hidden', `must have one or two layer sizes, got ${hidden.length}`);
  hidden.forEach((h, i) => {
    if (!(typeof h === 'number' && Number.isInteger(h) && h >= 1 && h <= MAX_MODEL_DIM))
      n.fail(`hidden[${i}]`, `must be an integer in [1, ${MAX_MODEL_DIM}], got ${JSON.stringify(h)}`);
  });
  const context = n.has('context') ? readContext(n.object('context')) : undefined;
  const net: NetConfig = {
    wordDim: n.int('wordDim', 1, MAX_MODEL_DIM),
    tagDim: n.int('tagDim', 1, MAX_MODEL_DIM),
    labelDim: n.int('labelDim', 1, MAX_MODEL_DIM),
    extraDim: n.int('extraDim', 1, MAX_MODEL_DIM),
    hidden: [...(hidden as number[])],
    activation: n.choice('activation', ACTIVATIONS),
    ...(n.has('activation2') ? { activation2: n.choice('activation2', ACTIVATIONS) } : {}),
    dropout: n.fraction('dropout'),
    ...(context ? { context } : {}),
    words: n.int('words', 3, MAX_VOCABULARY),
    upos: n.int('upos', 3, MAX_VOCABULARY),
    xpos: n.int('xpos', 3, MAX_VOCABULARY),
    // at least one label: a parser without arcs never finishes a sentence
    labels: n.int('labels', 4, MAX_VOCABULARY),
    transitions: n.int('transitions', 3, 2 * MAX_VOCABULARY + 2),
  };
  return { system, pseudoProjective, ...(morphology ? { morphology } : {}), net };
}

function readContext(c: JsonFields): ContextConfig {
  c.only(['dim', 'layers', 'width', 'channels', 'positions', 'dropout']);
  const width = c.int('width', 1, MAX_CONTEXT_WIDTH);
  if (width % 2 === 0) c.fail('width', `must be odd, got ${width}`);
  const channels = c.optionalInt('channels', 1, MAX_MODEL_DIM);
  const positions = c.optionalInt('positions', 1, CONTEXT_POSITIONS);
  const dropout = c.has('dropout') ? c.fraction('dropout') : undefined;
  return {
    dim: c.int('dim', 1, MAX_MODEL_DIM),
    layers: c.int('layers', 1, MAX_CONTEXT_LAYERS),
    width,
    ...(channels === undefined ? {} : { channels }),
    ...(positions === undefined ? {} : { positions }),
    ...(dropout === undefined ? {} : { dropout }),
  };
}
