// The output layer a structured beam parser scores with, and its model file. Weiss et al. (2015)
// score a transition a in state s as w_a . phi(s); here phi(s) is the frozen network's last hidden
// activation with a constant 1 appended (the features the net's own output layer reads), so w is a
// [hidden, transitions] weight and a bias, the shape of the net's output layer: beam search scores
// with it through the same kernel path, the net's output layer swapped for it. For a net trained with
// the globally normalised loss (Andor et al. 2016) it is that net's own output layer. Either way the
// beam ranks sequences by the sum of these raw scores (no softmax); a 'residual' perceptron's scores
// are added to the net's own log-softmax (Weiss et al.'s features include the softmax layer).
import { Dense, loadModule, ModelFileError, Module, saveModule, zeros } from '@lab/core';
import { tensor, tidy } from '@tensorflow/tfjs-core';
import { JsonFields } from '../model/model-files.js';

/** How the weights were trained: a structured perceptron on a frozen net, or the whole net globally. */
export type StructuredTraining = 'perceptron' | 'global';

export interface StructuredConfig {
  training: StructuredTraining;
  /** The frozen net's last hidden width (the weight's rows). */
  hidden: number;
  transitions: number;
  /** The beam width it was trained with (a default for decoding). */
  beam: number;
  /**
   * A transition scores the net's log-softmax (over the legal transitions) plus this layer's raw
   * score: the perceptron learns a correction of the greedy model's beam (absent: false).
   */
  residual?: boolean;
}

export const STRUCTURED_KIND = { kind: 'depparse.structured', version: 1 };

export class StructuredOutput extends Module {
  readonly output: Dense;

  constructor(readonly config: StructuredConfig) {
    super('structured');
    this.output = this.addModule(
      'output',
      new Dense(config.hidden, config.transitions, { name: 'output', kernelInit: zeros, biasInit: zeros }),
    );
  }

  /** Sets the weights ([hidden, transitions] row-major) and bias. */
  assign(weight: Float32Array, bias: Float32Array): void {
    const { hidden, transitions } = this.config;
    if (weight.length !== hidden * transitions || bias.length !== transitions)
      throw new RangeError(
        `weights for a ${hidden} x ${transitions} layer, got ${weight.length} and ${bias.length}`,
      );
    tidy(() => {
      this.output.weight.assign(tensor(weight, [hidden, transitions], 'float32'));
      this.output.bias!.assign(tensor(bias, [transitions], 'float32'));
    });
  }

  forward(): never {
    throw new Error('StructuredOutput: the parser scores with its output layer');
  }
}

/** The structured output's model file (core's saveModule: config in the header). */
export function writeStructuredFile(
  s: StructuredOutput,
  { half = false, metadata = {} }: { half?: boolean; metadata?: Record<string, string> } = {},
): Uint8Array {
  return saveModule(s, s.config, STRUCTURED_KIND, { half, metadata });
}

/** Reads a structured output file, checked against the parser it belongs to (hidden width, transitions). */
export function readStructuredFile(
  bytes: Uint8Array,
  file: string,
  expected: { hidden: number; transitions: number },
): StructuredOutput {
  return loadModule(bytes, {
    ...STRUCTURED_KIND,
    file,
    finite: true,
    validateConfig: (raw) => {
      const at = 'lab.module.config';
      const f = JsonFields.of(file, at, raw);
      f.only(['training', 'hidden', 'transitions', 'beam', 'residual']);
      const config: StructuredConfig = {
        training: f.choice('training', ['perceptron', 'global'] as const),
        hidden: f.int('hidden', 1, 65_536),
        transitions: f.int('transitions', 1, 65_536),
        beam: f.int('beam', 1, 64),
        ...(f.has('residual') ? { residual: f.bool('residual') } : {}),
      };
      for (const key of ['hidden', 'transitions'] as const)
        if (config[key] !== expected[key])
          throw new ModelFileError(
            `${at}.${key}`,
            `is ${config[key]}, but the parser's net has ${expected[key]}`,
            {
              file,
            },
          );
      return config;
    },
    shapes: (c) =>
      new Map([
        ['output.weight', [c.hidden, c.transitions]],
        ['output.bias', [c.transitions]],
      ]),
    build: (c) => new StructuredOutput(c),
  }).module;
}
