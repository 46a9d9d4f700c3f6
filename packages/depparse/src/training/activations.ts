// The frozen network's last hidden activation for feature rows: the features phi(s) a structured
// perceptron scores with (Weiss et al. 2015). The same layers as ParserNet.logits without the output
// layer and without dropout (the net is frozen, in evaluation).
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureBuffers, SentenceIds } from '../model/features.js';
import {
  activate,
  type ContextLayout,
  contextLayout,
  featureTensors,
  layerActivation,
  type ParserNet,
} from '../model/model.js';

/** The last hidden layer's activation, [rows, hidden], for feature tensors (and a context table). */
export function lastHidden(
  net: ParserNet,
  f: ReturnType<typeof featureTensors>,
  contextTable?: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() => {
    let first: tf.Tensor = net.firstLayer(f);
    if (net.contextOut) {
      if (!f.contextRows || !contextTable)
        throw new Error('a net with a context encoder needs its context table');
      const rows = f.words.shape[0]!;
      const v = tf.gather(contextTable, tf.reshape(f.contextRows, [-1]));
      first = tf.add(first, net.contextOut.forward(tf.reshape(v, [rows, -1])));
    }
    let h = activate(first, net.config.activation);
    net.hidden.slice(1).forEach((layer, i) => {
      h = activate(layer.forward(h), layerActivation(net.config, i + 1));
    });
    return h as tf.Tensor2D;
  });
}

/**
 * Activations of feature rows of one batch of sentences (the context vectors, for a net with an
 * encoder, computed once per batch); `dispose()` frees them.
 */
export class BatchActivations {
  private readonly context?: { table: tf.Tensor2D; layout: ContextLayout };

  constructor(
    readonly net: ParserNet,
    batch: readonly SentenceIds[],
  ) {
    if (net.config.context) {
      const layout = contextLayout(batch, net.config);
      this.context = { table: net.contextTable(batch, layout), layout };
    }
  }

  /** [rows, hidden] activations of the first `rows` feature rows; `slots[r]`: row r's sentence. */
  hidden(f: FeatureBuffers, rows: number, slots: ArrayLike<number>): tf.Tensor2D {
    return tf.tidy(() => {
      const ft = featureTensors(f, rows, this.context ? { layout: this.context.layout, slots } : undefined);
      return lastHidden(this.net, ft, this.context?.table);
    });
  }

  dispose(): void {
    this.context?.table.dispose();
  }
}
