import { initBackend, Rng } from '@lab/core';
import { gan, kl } from '@lab/divergences';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dcganDiscriminator,
  dcganGenerator,
  discriminatorLoss,
  fganCriticLoss,
  fganGeneratorLoss,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
  mlpDiscriminator,
  mlpGenerator,
} from './index.js';

describe('networks', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('the W1 preset has exactly the parameter counts of the PyTorch peer', () => {
    const G = dcganGenerator({ rng: new Rng(0) });
    const D = dcganDiscriminator({ rng: new Rng(1) });
    // torch_peer.py: sum(p.numel() for p in G().parameters()) and D(0.3)
    expect(G.paramCount()).toBe(2_305_472);
    expect(D.paramCount()).toBe(212_865);
    const img = tf.tidy(() => G.forward(tf.randomNormal([2, 100])));
    expect(img.shape).toEqual([2, 28, 28, 1]);
    expect(Math.max(...Array.from(img.dataSync()).map(Math.abs))).toBeLessThanOrEqual(1);
    const logits = tf.tidy(() => D.forward(img));
    expect(logits.shape).toEqual([2, 1]);
    tf.dispose([img, logits]);
    G.dispose();
    D.dispose();
  });
  it("pads like PyTorch by default (2 on every side) and like TensorFlow's 'same' on request", () => {
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 3);
    for (const [padding, pads] of [
      ['pytorch', [2, 2]],
      ['same', [1, 2]],
    ] as const) {
      const D = dcganDiscriminator({ rng: new Rng(1), width: 4, dropout: 0, padding });
      const conv = D.layers[0] as unknown as { weight: tf.Tensor4D; bias: tf.Tensor };
      const y = D.layers[0]!.forward(x);
      const ref = tf.add(
        tf.conv2d(tf.pad(x, [[0, 0], [...pads], [...pads], [0, 0]]) as tf.Tensor4D, conv.weight, 2, 'valid'),
        conv.bias,
      );
      expect(y.shape).toEqual([2, 14, 14, 4]);
      expect(tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0]).toBeLessThan(1e-5);
      const G = dcganGenerator({ rng: new Rng(2), width: 4, latent: 8, padding });
      expect(G.forward(tf.randomNormal([2, 8])).shape).toEqual([2, 28, 28, 1]);
      for (const m of [D, G]) m.dispose();
    }
    expect(() => dcganGenerator({ padding: 'valid' as never })).toThrow(/padding/);
    expect(() => dcganDiscriminator({ padding: 'valid' as never })).toThrow(/padding/);
  });
  it('32x32 colour DCGAN and MLP nets have the right shapes', () => {
    const G = dcganGenerator({ imageSize: 32, channels: 3, width: 8, latent: 16, extraBlocks: 1 });
    const D = dcganDiscriminator({ imageSize: 32, channels: 3, width: 8, dropout: 0 });
    const x = tf.tidy(() => G.forward(tf.randomNormal([3, 16])));
    expect(x.shape).toEqual([3, 32, 32, 3]);
    expect(tf.tidy(() => D.forward(x)).shape).toEqual([3, 1]);
    const g = mlpGenerator(2, 2, { hidden: [16], linearOutput: true });
    const d = mlpDiscriminator(2, { hidden: [16] });
    expect(tf.tidy(() => d.forward(g.forward(tf.zeros([5, 2])))).shape).toEqual([5, 1]);
    expect(() => dcganGenerator({ imageSize: 64 as 28 })).toThrow(/imageSize/);
    for (const m of [G, D, g, d]) m.dispose();
    x.dispose();
  });
});

describe('least-squares and f-GAN losses', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('least squares by hand', () => {
    const r = tf.tensor1d([1, 0.5]);
    const f = tf.tensor1d([0.2, -0.4]);
    expect(leastSquaresDiscriminatorLoss(r, f).dataSync()[0]).toBeCloseTo(
      0.5 * ((0 + 0.25) / 2) + 0.5 * ((0.04 + 0.16) / 2),
      6,
    );
    expect(leastSquaresGeneratorLoss(f).dataSync()[0]).toBeCloseTo(0.5 * ((0.64 + 1.96) / 2), 6);
  });
  it('f-GAN with the GAN divergence is the usual discriminator loss minus log 4', () => {
    const r = tf.tensor1d([2, -1, 0.3]);
    const f = tf.tensor1d([0.5, -3, 1]);
    const bce = discriminatorLoss(r, f).dataSync()[0]!;
    expect(fganCriticLoss(gan(), r, f).dataSync()[0]).toBeCloseTo(bce - Math.log(4), 5);
    // the alternative generator loss with the GAN divergence is the non-saturating loss
    expect(fganGeneratorLoss(gan(), f).dataSync()[0]).toBeCloseTo(
      (Math.log1p(Math.exp(-0.5)) + Math.log1p(Math.exp(3)) + Math.log1p(Math.exp(-1))) / 3,
      5,
    );
    expect(fganGeneratorLoss(kl(), f, 'saddle').dataSync()[0]).toBeCloseTo(
      -(Math.exp(0.5 - 1) + Math.exp(-3 - 1) + Math.exp(1 - 1)) / 3,
      5,
    );
  });
  it('WGAN critics: layer norm keeps each sample independent of its batch; spectral norm on every weight', () => {
    const D = dcganDiscriminator({ width: 4, dropout: 0, discriminatorNorm: 'layer', rng: new Rng(3) });
    D.train(true);
    const x = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 4);
    const all = tf.tidy(() => D.forward(x));
    const one = tf.tidy(() => D.forward(tf.slice(x, [0, 0, 0, 0], [1, 28, 28, 1])));
    expect(one.dataSync()[0]).toBeCloseTo(all.dataSync()[0]!, 4);
    expect(Object.keys(D.trainableParameters())).toHaveLength(8); // 3 layers' weight and bias + layer norm's scale and shift
    const S = dcganDiscriminator({ width: 4, dropout: 0, spectralNorm: true, rng: new Rng(3) });
    expect(Object.keys(S.stateDict()).filter((k) => k.endsWith('spectralU'))).toHaveLength(3);
    expect(tf.tidy(() => S.forward(x)).shape).toEqual([3, 1]);
    expect(() => dcganDiscriminator({ discriminatorNorm: 'batch' as 'layer' })).toThrow(/discriminatorNorm/);
    tf.dispose([x, all, one]);
    D.dispose();
    S.dispose();
  });
});
