// The shape a module produces for an input shape, found by running one zero sample in inference mode
// (so BatchNorm statistics and dropout are untouched) and restoring each module's training flag.
import type { Module } from '@lab/core';
import { tidy, zeros } from '@tensorflow/tfjs-core';
import { namedModules } from '../module-tree.js';
import { SurgeryError } from './errors.js';

/** Output shape (batch axis first, as 1) of `module` for one sample of `inputShape` (no batch axis). */
export function outputShape(module: Module, inputShape: readonly number[]): number[] {
  if (!inputShape.every((d) => Number.isInteger(d) && d > 0))
    throw new SurgeryError('inputShape', `must be positive integers, got [${inputShape.join(', ')}]`);
  const modes = namedModules(module).map(([, m]) => [m, m.training] as const);
  // module.eval() would also overwrite the mode a held BatchNorm remembers; switch only what is on
  for (const [m, mode] of modes) if (mode) m.training = false;
  try {
    return tidy(() => module.forward(zeros([1, ...inputShape])).shape);
  } finally {
    for (const [m, mode] of modes) if (mode) m.training = true;
  }
}
