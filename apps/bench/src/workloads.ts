// W1-W3 of ../shared/BENCHMARKS.md with @lab/core, matching ../shared/peers/torch_peer.py.
import { adam, Dense, Flatten, Optimizer, ReLU, Rng, Sequential, sgd, valueAndGrads } from '@lab/core';
import { dcganDiscriminator, dcganGenerator, discriminatorLoss, ganStep, generatorLoss } from '@lab/gan';
import { criticLoss, gradientPenalty, wganGeneratorLoss } from '@lab/wgan';
import * as tf from '@tensorflow/tfjs-core';
import { BATCH, dcganIterationFlops, wgangpIterationFlops, Z } from './flops.js';

export interface Workload {
  name: string;
  /** One iteration as the benchmark defines it. */
  step(): void;
  /** FLOPs of one iteration as PyTorch performs it (for GFLOP/s figures). */
  flops: number;
  dispose(): void;
}

function update(opt: Optimizer, vars: Parameters<typeof valueAndGrads>[1], loss: () => tf.Scalar): void {
  const { value, grads } = valueAndGrads(loss, vars);
  opt.step(grads);
  tf.dispose([value, ...Object.values(grads)]);
}

/** W1: one discriminator update on a real and a fake batch, then one generator update. */
export function dcgan(seed = 0): Workload {
  const rng = new Rng(seed);
  const G = dcganGenerator({ rng });
  const D = dcganDiscriminator({ rng, dropout: 0.3 });
  const optG = new Optimizer(adam(2e-4, { b1: 0.5, b2: 0.999 }), G.trainableParameters());
  const optD = new Optimizer(adam(2e-4, { b1: 0.5, b2: 0.999 }), D.trainableParameters());
  const real = tf.randomUniform([BATCH, 28, 28, 1], -1, 1, 'float32', seed);
  return {
    name: 'dcgan',
    flops: dcganIterationFlops(),
    step() {
      // one G forward per iteration, as the peer does (ganStep runs the D update inside G's gradient)
      const z = tf.randomNormal([BATCH, Z], 0, 1, 'float32', rng.seed());
      ganStep({ G, D, optG, optD, real, z, discriminatorLoss, generatorLoss });
      z.dispose();
    },
    dispose() {
      for (const x of [G, D, optG, optD, real]) x.dispose();
    },
  };
}

/** W2: five critic updates with the gradient penalty, then one generator update. */
export function wgangp(seed = 0): Workload {
  const rng = new Rng(seed);
  const G = dcganGenerator({ rng });
  const D = dcganDiscriminator({ rng, dropout: 0 });
  const gVars = G.trainableParameters();
  const dVars = D.trainableParameters();
  const optG = new Optimizer(adam(1e-4, { b1: 0, b2: 0.9 }), gVars);
  const optD = new Optimizer(adam(1e-4, { b1: 0, b2: 0.9 }), dVars);
  const real = tf.randomUniform([BATCH, 28, 28, 1], -1, 1, 'float32', seed);
  const critic = (x: tf.Tensor) => D.forward(x);
  return {
    name: 'wgangp',
    flops: wgangpIterationFlops(),
    step() {
      for (let i = 0; i < 5; i++) {
        const z = tf.randomNormal([BATCH, Z], 0, 1, 'float32', rng.seed());
        const fake = tf.tidy(() => G.forward(z));
        const seedEps = rng.seed();
        update(
          optD,
          dVars,
          () =>
            tf.add(
              criticLoss(critic(real), critic(fake)),
              gradientPenalty(critic, real, fake, { lambda: 10, seed: seedEps }),
            ) as tf.Scalar,
        );
        tf.dispose([z, fake]);
      }
      const z = tf.randomNormal([BATCH, Z], 0, 1, 'float32', rng.seed());
      update(optG, gVars, () => wganGeneratorLoss(critic(G.forward(z))) as tf.Scalar);
      z.dispose();
    },
    dispose() {
      for (const x of [G, D, optG, optD, real]) x.dispose();
    },
  };
}

/** W3: one SGD step of LeNet-300-100 on a batch of 128. */
export function lenet300(seed = 0): Workload {
  const rng = new Rng(seed);
  const net = new Sequential([
    Flatten(),
    new Dense(784, 300, { rng }),
    ReLU(),
    new Dense(300, 100, { rng }),
    ReLU(),
    new Dense(100, 10, { rng }),
  ]);
  const vars = net.trainableParameters();
  const opt = new Optimizer(sgd(0.01, { momentum: 0.9 }), vars);
  const x = tf.randomUniform([128, 28, 28, 1], 0, 1, 'float32', seed);
  const labels = new Int32Array(128).map(() => rng.int(10));
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), 'float32'));
  return {
    name: 'lenet300',
    // as PyTorch performs it: forward and weight gradients of all three layers, input gradients of the
    // last two only (the first layer's input needs none); 3x the forward overstated it by 42%
    flops: 2 * 128 * (2 * (784 * 300 + 300 * 100 + 100 * 10) + 300 * 100 + 100 * 10),
    step() {
      update(opt, vars, () => tf.losses.softmaxCrossEntropy(y, net.forward(x)) as tf.Scalar);
    },
    dispose() {
      for (const t of [net, opt, x, y]) t.dispose();
    },
  };
}

export const WORKLOADS = { dcgan, wgangp, lenet300 } as const;
