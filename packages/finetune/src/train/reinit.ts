// A fresh start for the same architecture: every parameter drawn again as the layer's constructor
// draws it (PyTorch's defaults, which core's Dense and Conv2d use), BatchNorm back to identity with
// fresh running statistics. The honest "from scratch" baseline trains exactly this network.
import {
  BatchNorm,
  Conv2d,
  ConvTranspose2d,
  Dense,
  LayerNorm,
  type Module,
  Rng,
  torchDefault,
  uniform,
} from '@lab/core';
import { fill as filled, type Tensor } from '@tensorflow/tfjs-core';
import { parameterisedModules } from '../module-tree.js';

export interface ReinitializeOptions {
  /** Seeds the new weights. Default 0. */
  seed?: number;
}

function assignFresh(v: { assign(t: Tensor): void; shape: number[] }, draw: (shape: number[]) => Tensor) {
  const t = draw(v.shape);
  v.assign(t);
  t.dispose();
}

const fill = (value: number) => (shape: number[]) => filled(shape, value);

/**
 * Re-draws the weights of every Dense, Conv2d and ConvTranspose2d (kernel U(±1/sqrt(fan_in)), bias
 * U(±1/sqrt(fan_in))) and resets BatchNorm and LayerNorm; throws, naming it, on a module with
 * parameters it does not know how to initialise (so nothing is silently left pretrained).
 */
export function reinitialize(model: Module, { seed = 0 }: ReinitializeOptions = {}): void {
  const rng = new Rng(seed);
  const modules = parameterisedModules(model);
  for (const [path, m] of modules) {
    const known =
      m instanceof Dense ||
      m instanceof Conv2d ||
      m instanceof ConvTranspose2d ||
      m instanceof BatchNorm ||
      m instanceof LayerNorm;
    if (!known)
      throw new TypeError(
        `reinitialize: cannot initialise '${path}' (${m.constructor.name}); give it a Dense, Conv2d, ConvTranspose2d, BatchNorm or LayerNorm`,
      );
  }
  for (const [, m] of modules) {
    if (m instanceof Dense || m instanceof Conv2d || m instanceof ConvTranspose2d) {
      assignFresh(m.weight, (s) => torchDefault(s, rng));
      const fanIn =
        m instanceof Dense
          ? m.inFeatures
          : m instanceof Conv2d
            ? m.inChannels * m.kernelSize * m.kernelSize
            : m.outChannels * m.kernelSize * m.kernelSize;
      if (m.bias) assignFresh(m.bias, (s) => uniform(1 / Math.sqrt(fanIn))(s, rng));
    } else if (m instanceof BatchNorm) {
      assignFresh(m.gamma, fill(1));
      assignFresh(m.beta, fill(0));
      assignFresh(m.runningMean, fill(0));
      assignFresh(m.runningVar, fill(1));
    } else if (m instanceof LayerNorm) {
      for (const [name, v] of Object.entries(m.parameters()))
        assignFresh(v, fill(name.endsWith('bias') ? 0 : 1));
    }
  }
}
