// Generators and discriminators: MLPs and DCGANs for 28x28 and 32x32 images.
import {
  BatchNorm,
  Conv2d,
  ConvTranspose2d,
  Dense,
  Dropout,
  Flatten,
  LayerNorm,
  LeakyReLU,
  type Module,
  ReLU,
  Reshape,
  Rng,
  Sequential,
  Tanh,
} from '@lab/core';

export interface DcganOptions {
  /** 28 (MNIST, Fashion-MNIST) or 32 (CIFAR-10 size). Default 28. */
  imageSize?: 28 | 32;
  channels?: number;
  /** Latent dimension. Default 100. */
  latent?: number;
  /** Base width w: the generator runs 4w -> 2w -> w channels, the discriminator w -> 2w. Default 64 (W1). */
  width?: number;
  /** Extra stride-1 blocks at the generator's lowest resolution (after the first). Default 0. */
  extraBlocks?: number;
  /** Discriminator dropout after each conv (W1: 0.3; WGAN critics: 0). */
  dropout?: number;
  /** BatchNorm in the generator (default true). */
  batchNorm?: boolean;
  /** Discriminator outputs: 1 (a real/fake logit, default), or 1 + classes for AC-GAN. */
  outputs?: number;
  /**
   * Normalisation in the discriminator after every conv but the first: 'none' (default) or 'layer'
   * (per-sample layer norm over [h, w, c], the WGAN-GP critic's replacement for batch norm, which would
   * make each sample's gradient penalty depend on the rest of the batch).
   */
  discriminatorNorm?: 'none' | 'layer';
  /** Spectral normalisation of every discriminator weight (Miyato et al. 2018). Default false. */
  spectralNorm?: boolean;
  /**
   * Where the 5x5 convolutions pad: 'pytorch' (default; 2 on every side, stride-2 transposed convs with
   * output_padding 1, as nn.Conv2d(.., 5, s, 2) and nn.ConvTranspose2d(.., 5, 2, 2, 1)) or 'same'
   * (TensorFlow/Keras: one pixel less at the top and left of stride-2 convs). Same shapes, a one-pixel
   * shift per stride-2 layer; load Keras-trained weights with 'same'.
   */
  padding?: DcganPadding;
  rng?: Rng;
}

export type DcganPadding = 'pytorch' | 'same';

function checkPadding(padding: unknown): asserts padding is DcganPadding {
  if (padding !== 'pytorch' && padding !== 'same')
    throw new RangeError(`padding must be 'pytorch' or 'same', got ${String(padding)}`);
}

/** Options of a 5x5 conv (or transposed conv, which also needs output padding) of the given stride. */
function pad5(padding: DcganPadding, stride: number, transposed: boolean) {
  if (padding === 'same') return { stride, padding: 'same' as const };
  return { stride, padding: 2, ...(transposed ? { outputPadding: stride - 1 } : {}) };
}

/**
 * DCGAN generator. With the defaults this is the W1 generator of the benchmarks:
 * Dense(z -> s*s*4w, no bias) BN ReLU -> ConvT(4w -> 2w, 5, s1) BN ReLU -> ConvT(2w -> w, 5, s2) BN ReLU
 * -> ConvT(w -> c, 5, s2) tanh, with s = imageSize / 4.
 */
export function dcganGenerator(options: DcganOptions = {}): Sequential {
  const {
    imageSize = 28,
    channels = 1,
    latent = 100,
    width = 64,
    extraBlocks = 0,
    batchNorm = true,
    padding = 'pytorch',
    rng = new Rng(0),
  } = options;
  if (imageSize !== 28 && imageSize !== 32)
    throw new RangeError(`imageSize must be 28 or 32, got ${imageSize}`);
  checkPadding(padding);
  const s = imageSize / 4;
  const bn = (n: number): Module[] => (batchNorm ? [new BatchNorm(n)] : []);
  const layers: Module[] = [
    new Dense(latent, s * s * 4 * width, { bias: false, rng }),
    ...bn(s * s * 4 * width),
    ReLU(),
    Reshape([s, s, 4 * width]),
    new ConvTranspose2d(4 * width, 2 * width, 5, { ...pad5(padding, 1, true), bias: false, rng }),
    ...bn(2 * width),
    ReLU(),
  ];
  for (let i = 0; i < extraBlocks; i++) {
    layers.push(
      new ConvTranspose2d(2 * width, 2 * width, 5, { ...pad5(padding, 1, true), bias: false, rng }),
      ...bn(2 * width),
      ReLU(),
    );
  }
  layers.push(
    new ConvTranspose2d(2 * width, width, 5, { ...pad5(padding, 2, true), bias: false, rng }),
    ...bn(width),
    ReLU(),
    new ConvTranspose2d(width, channels, 5, { ...pad5(padding, 2, true), bias: false, rng }),
    Tanh(),
  );
  return new Sequential(layers, 'generator');
}

/**
 * DCGAN discriminator (W1 with the defaults): Conv(c -> w, 5, s2) LeakyReLU(0.2) Dropout ->
 * Conv(w -> 2w, 5, s2) LeakyReLU(0.2) Dropout -> Flatten -> Dense(-> 1). Outputs logits [batch, 1].
 */
export function dcganDiscriminator(options: DcganOptions = {}): Sequential {
  const {
    imageSize = 28,
    channels = 1,
    width = 64,
    dropout = 0.3,
    outputs = 1,
    discriminatorNorm = 'none',
    spectralNorm = false,
    padding = 'pytorch',
    rng = new Rng(0),
  } = options;
  if (imageSize !== 28 && imageSize !== 32)
    throw new RangeError(`imageSize must be 28 or 32, got ${imageSize}`);
  checkPadding(padding);
  if (discriminatorNorm !== 'none' && discriminatorNorm !== 'layer')
    throw new RangeError(`discriminatorNorm must be 'none' or 'layer', got ${String(discriminatorNorm)}`);
  const s = imageSize / 4;
  const drop = (): Module[] => (dropout > 0 ? [new Dropout(dropout, { rng })] : []);
  const norm = (): Module[] => (discriminatorNorm === 'layer' ? [new LayerNorm([s, s, 2 * width])] : []);
  return new Sequential(
    [
      new Conv2d(channels, width, 5, { ...pad5(padding, 2, false), rng, spectralNorm }),
      LeakyReLU(0.2),
      ...drop(),
      new Conv2d(width, 2 * width, 5, { ...pad5(padding, 2, false), rng, spectralNorm }),
      ...norm(),
      LeakyReLU(0.2),
      ...drop(),
      Flatten(),
      new Dense(s * s * 2 * width, outputs, { rng, spectralNorm }),
    ],
    'discriminator',
  );
}

export interface MlpOptions {
  hidden?: number[];
  rng?: Rng;
}

/** MLP generator: z -> hidden ReLU layers -> outFeatures, tanh unless `linearOutput` (toy 2-D data). */
export function mlpGenerator(
  latent: number,
  outFeatures: number,
  {
    hidden = [256, 256],
    rng = new Rng(0),
    linearOutput = false,
  }: MlpOptions & { linearOutput?: boolean } = {},
): Sequential {
  const layers: Module[] = [];
  let inF = latent;
  for (const h of hidden) {
    layers.push(new Dense(inF, h, { rng }), ReLU());
    inF = h;
  }
  layers.push(new Dense(inF, outFeatures, { rng }));
  if (!linearOutput) layers.push(Tanh());
  return new Sequential(layers, 'generator');
}

/** MLP discriminator: inFeatures -> hidden LeakyReLU(0.2) layers -> 1 logit. Flattens image input. */
export function mlpDiscriminator(
  inFeatures: number,
  { hidden = [256, 256], rng = new Rng(0) }: MlpOptions = {},
): Sequential {
  const layers: Module[] = [Flatten()];
  let inF = inFeatures;
  for (const h of hidden) {
    layers.push(new Dense(inF, h, { rng }), LeakyReLU(0.2));
    inF = h;
  }
  layers.push(new Dense(inF, 1, { rng }));
  return new Sequential(layers, 'discriminator');
}
