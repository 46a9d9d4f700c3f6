// One GAN iteration with a single generator forward pass, as PyTorch users write it
// (fake = G(z); D step on fake.detach(); G step through D(fake)), which saves a quarter of the
// arithmetic of a DCGAN iteration compared with running G twice.
//
// TensorFlow.js cannot keep a tape between two gradient calls, so the discriminator update runs
// inside the generator's gradient function: its tape is not connected to G's parameters (the fake
// batch is detached), so the generator's backward pass prunes it, and D's variables hold their
// updated values by the time the generator's loss reads them.
import { type Module, type Optimizer, valueAndGrads } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** A copy of `t` with no gradient path back to what produced it. */
export function detach(t: tf.Tensor): tf.Tensor {
  return tf.tensor(t.dataSync(), t.shape, t.dtype);
}

export interface GanStepOptions {
  G: Module;
  D: Module;
  optG: Optimizer<any>;
  optD: Optimizer<any>;
  real: tf.Tensor;
  /** Generator input for this step (noise, or noise and labels packed by a conditional G). */
  z: tf.Tensor;
  discriminatorLoss: (realLogits: tf.Tensor, fakeLogits: tf.Tensor) => tf.Tensor;
  generatorLoss: (fakeLogits: tf.Tensor) => tf.Tensor;
  /**
   * Applied to every batch the discriminator sees, real and fake, in both updates (DiffAugment: it
   * must be differentiable, as the generator's gradient flows through it). Default: none.
   */
  augment?: (images: tf.Tensor) => tf.Tensor;
  /** Added to the discriminator's loss, given the (augmented) real batch: e.g. R1. Undefined: nothing. */
  discriminatorPenalty?: (real: tf.Tensor) => tf.Scalar | undefined;
}

/** The discriminator's objective on a real and a (detached) fake batch: its loss plus any penalty. */
export function discriminatorObjective(
  o: Pick<GanStepOptions, 'D' | 'discriminatorLoss' | 'augment' | 'discriminatorPenalty'>,
  real: tf.Tensor,
  fake: tf.Tensor,
): tf.Scalar {
  const seen = (x: tf.Tensor) => (o.augment ? o.augment(x) : x);
  const realSeen = seen(real);
  const loss = o.discriminatorLoss(o.D.forward(realSeen), o.D.forward(seen(fake))) as tf.Scalar;
  const penalty = o.discriminatorPenalty?.(realSeen);
  return penalty ? tf.add(loss, penalty) : loss;
}

/**
 * One discriminator update on a real and a fake batch, then one generator update; returns both
 * losses (the discriminator's with its penalty, if any).
 */
export function ganStep(o: GanStepOptions): { dLoss: number; gLoss: number } {
  const gVars = o.G.trainableParameters();
  const dVars = o.D.trainableParameters();
  let dLoss = Number.NaN;
  const { value, grads } = valueAndGrads(() => {
    const fake = o.G.forward(o.z);
    const fixed = detach(fake);
    const d = valueAndGrads(() => discriminatorObjective(o, o.real, fixed), dVars);
    o.optD.step(d.grads);
    dLoss = d.value.dataSync()[0]!;
    return o.generatorLoss(o.D.forward(o.augment ? o.augment(fake) : fake)) as tf.Scalar;
  }, gVars);
  o.optG.step(grads);
  const gLoss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return { dLoss, gLoss };
}
