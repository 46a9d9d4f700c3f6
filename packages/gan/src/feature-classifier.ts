// The feature classifier behind Fréchet distance, KID and the classifier score: a small convnet trained
// on the real data set (Fashion-MNIST's 60k training images for the shipped weights). Its 64-d
// penultimate activations play the role that Inception-v3's pool features play in FID. Its file is
// @lab/core's model file (kind 'gan.evaluator'); files written before that format (the shipped
// weights) still load: their config is read off the head's shape.
import {
  Conv2d,
  configObject,
  Dense,
  Flatten,
  integerField,
  loadModule,
  ModelFileError,
  Module,
  type ModuleFileContents,
  ReLU,
  Rng,
  Sequential,
  saveModule,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** Fashion-MNIST's class names, in label order: what the evaluator's ten outputs mean. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export const EVALUATOR_FEATURES = 64;

/** What an evaluator file records to rebuild the net. */
export interface EvaluatorConfig {
  classes: number;
}

/** The kind and format version of evaluator files. */
export const EVALUATOR_FILE = { kind: 'gan.evaluator', version: 1 } as const;

/** Checks an evaluator file's config (untrusted JSON); throws ModelFileError naming the field. */
export function validateEvaluatorConfig(raw: unknown): EvaluatorConfig {
  const c = configObject(raw);
  return { classes: integerField(c, 'classes', { min: 2, max: 10_000 }) };
}

/** Files from before the model-file format: the classes are the head's output width. */
function legacyConfig({ tensors }: ModuleFileContents): unknown {
  const head = tensors['head.weight'];
  if (head?.shape.length !== 2)
    throw new ModelFileError("tensor 'head.weight'", 'is missing or not a matrix: not an evaluator file');
  return { classes: head.shape[1] };
}

/** The evaluator's layers: 28x28x1 in [0, 1] -> conv5 s2 (16) -> conv5 s2 (32) -> 64 features -> 10 logits. */
export class Evaluator extends Module {
  readonly trunk: Sequential;
  readonly head: Dense;
  readonly classes: number;
  /** Provenance strings saved with the weights (training settings, test accuracy, command). */
  metadata: Record<string, string> = {};

  constructor({ seed = 0, classes = 10 }: { seed?: number; classes?: number } = {}) {
    super('evaluator');
    const rng = new Rng(seed);
    this.classes = classes;
    this.trunk = this.addModule(
      'trunk',
      new Sequential(
        [
          new Conv2d(1, 16, 5, { stride: 2, rng, name: 'conv1' }),
          ReLU(),
          new Conv2d(16, 32, 5, { stride: 2, rng, name: 'conv2' }),
          ReLU(),
          Flatten(),
          new Dense(7 * 7 * 32, EVALUATOR_FEATURES, { rng, name: 'features' }),
          ReLU(),
        ],
        'trunk',
      ),
    );
    this.head = this.addModule('head', new Dense(EVALUATOR_FEATURES, classes, { rng, name: 'head' }));
  }

  get config(): EvaluatorConfig {
    return { classes: this.classes };
  }

  private check(images: tf.Tensor4D): void {
    const [, h, w, c] = images.shape;
    if (h !== 28 || w !== 28 || c !== 1)
      throw new RangeError(`the evaluator takes [n, 28, 28, 1] images, got [${images.shape.join(', ')}]`);
  }

  /** 64-d features of images in [0, 1] (pass `range: [-1, 1]` for tanh generator output). */
  features(images: tf.Tensor4D, { range = [0, 1] as [number, number] } = {}): tf.Tensor2D {
    this.check(images);
    return tf.tidy(() => {
      const x =
        range[0] === 0 && range[1] === 1 ? images : tf.div(tf.sub(images, range[0]), range[1] - range[0]);
      return this.trunk.forward(x) as tf.Tensor2D;
    });
  }

  logits(images: tf.Tensor4D, options: { range?: [number, number] } = {}): tf.Tensor2D {
    return tf.tidy(() => this.head.forward(this.features(images, options)) as tf.Tensor2D);
  }

  /** The logits of [n, 28, 28, 1] images in [0, 1]. */
  forward(images: tf.Tensor): tf.Tensor {
    return this.logits(images as tf.Tensor4D);
  }

  /** Features of many images, computed in batches so that memory stays bounded. */
  featuresOf(images: tf.Tensor4D, { range = [0, 1] as [number, number], batch = 500 } = {}): tf.Tensor2D {
    const parts: tf.Tensor2D[] = [];
    for (let s = 0; s < images.shape[0]; s += batch) {
      const n = Math.min(batch, images.shape[0] - s);
      parts.push(tf.tidy(() => this.features(tf.slice(images, [s, 0, 0, 0], [n, -1, -1, -1]), { range })));
    }
    const out = tf.concat(parts, 0);
    tf.dispose(parts);
    return out;
  }

  /** The evaluator's model file: weights (trunk.* and head.*), config and provenance `metadata`. */
  toBytes(metadata: Record<string, string> = this.metadata): Uint8Array {
    return saveModule(this, this.config, EVALUATOR_FILE, { metadata });
  }

  /**
   * Loads an evaluator file (also one written before the model-file format, as the shipped weights
   * are); throws ModelFileError naming a bad field or a missing or misshapen tensor.
   */
  static fromBytes(bytes: Uint8Array): Evaluator {
    const { module, metadata } = loadModule(bytes, {
      ...EVALUATOR_FILE,
      validateConfig: validateEvaluatorConfig,
      build: (config) => new Evaluator({ classes: config.classes }),
      legacyConfig,
    });
    module.metadata = metadata;
    return module;
  }
}
