// Holding a BatchNorm in inference mode (the Keras rule for frozen BatchNorm layers): its `training`
// flag reads false whatever model.train() sets, so it normalises with its running statistics and
// never updates them. The mode that train()/eval() ask for is remembered and comes back on release.
import type { BatchNorm } from '@lab/core';

const REQUESTED = Symbol.for('@lab/finetune.requestedTraining');
type Pinned = BatchNorm & { [REQUESTED]?: { training: boolean } };

export function isHeldInInference(bn: BatchNorm): boolean {
  return (bn as Pinned)[REQUESTED] !== undefined;
}

/** Makes `bn` run in inference mode until released, even when its model trains. */
export function holdInInference(bn: BatchNorm): void {
  if (isHeldInInference(bn)) return;
  const requested = { training: bn.training };
  Object.defineProperty(bn, REQUESTED, { value: requested, configurable: true });
  Object.defineProperty(bn, 'training', {
    configurable: true,
    enumerable: true,
    get: () => false,
    set: (mode: boolean) => {
      requested.training = mode;
    },
  });
}

/** Gives `bn` back the training mode last asked for. */
export function releaseFromInference(bn: BatchNorm): void {
  const requested = (bn as Pinned)[REQUESTED];
  if (!requested) return;
  delete (bn as Pinned)[REQUESTED];
  Object.defineProperty(bn, 'training', {
    configurable: true,
    enumerable: true,
    writable: true,
    value: requested.training,
  });
}
