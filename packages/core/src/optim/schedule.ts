// Learning-rate schedules: functions of the 0-based step count.
import type { Schedule } from './gradient-transformation.js';

export const constantSchedule =
  (lr: number): Schedule =>
  () =>
    lr;

/** lr * gamma^floor(step / stepSize) (PyTorch StepLR). */
export function stepSchedule(lr: number, stepSize: number, gamma = 0.1): Schedule {
  if (!(stepSize >= 1)) throw new RangeError(`stepSchedule: stepSize must be >= 1, got ${stepSize}`);
  return (step) => lr * gamma ** Math.floor(step / stepSize);
}

/** Cosine decay from lr to minLr over `steps`, then minLr (PyTorch CosineAnnealingLR without restarts). */
export function cosineSchedule(lr: number, steps: number, minLr = 0): Schedule {
  return (step) => {
    const t = Math.min(step, steps) / steps;
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * t));
  };
}

/** (lr - end) * (1 - step / steps)^power + end, then end. */
export function polynomialSchedule(lr: number, end: number, steps: number, power = 1): Schedule {
  return (step) => (lr - end) * (1 - Math.min(step, steps) / steps) ** power + end;
}

/**
 * One-cycle (Smith 2018; PyTorch OneCycleLR, cosine annealing): from maxLr / divFactor up to maxLr
 * over pctStart of the steps, then down to maxLr / (divFactor * finalDivFactor).
 */
export function oneCycleSchedule(
  maxLr: number,
  steps: number,
  { pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = {},
): Schedule {
  const initial = maxLr / divFactor;
  const final = initial / finalDivFactor;
  const up = Math.max(1, Math.floor(pctStart * steps) - 1);
  const down = Math.max(1, steps - 1 - up);
  const cos = (from: number, to: number, t: number) => to + ((from - to) / 2) * (1 + Math.cos(Math.PI * t));
  return (step) =>
    step <= up ? cos(initial, maxLr, step / up) : cos(maxLr, final, Math.min(1, (step - up) / down));
}
