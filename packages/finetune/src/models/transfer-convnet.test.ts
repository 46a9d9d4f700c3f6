import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { locateLayer } from '../surgery/locate.js';
import { TRANSFER_CONVNET_LAYERS, transferConvnet } from './transfer-convnet.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('transferConvnet', () => {
  it('maps 28x28 images to class logits, with the named layers surgery cuts at', () => {
    const net = transferConvnet(3, 1);
    const logits = tf.tidy(() => net.forward(tf.zeros([2, 28, 28, 1])) as tf.Tensor);
    expect(logits.shape).toEqual([2, 3]);
    logits.dispose();
    for (const name of [...TRANSFER_CONVNET_LAYERS, 'head']) expect(locateLayer(net, name)).toBeDefined();
    net.dispose();
  });

  it('draws the same weights from the same seed and others from another', () => {
    const first = (seed: number) => {
      const net = transferConvnet(5, seed);
      const w = Array.from(Object.values(net.parameters())[0]!.dataSync().slice(0, 8));
      net.dispose();
      return w;
    };
    expect(first(7)).toEqual(first(7));
    expect(first(7)).not.toEqual(first(8));
  });

  it('refuses a class count that is not a positive integer', () => {
    expect(() => transferConvnet(0)).toThrow(/classes/);
    expect(() => transferConvnet(2.5)).toThrow(/classes/);
  });
});
