// Hinton, Vinyals & Dean's distillation objective: a weighted sum of the cross-entropy with the
// teacher's soft targets (both nets' softmax at temperature T) and the cross-entropy with the hard
// labels (the student at T = 1). The soft term is multiplied by T^2 because its gradient with respect
// to the student's logits scales as 1/T^2 ((q_T - p_T) / T, times the 1/T of the logits), so the
// relative weight of the two terms stays put when T changes.
import {
  add,
  cast,
  log,
  logSoftmax,
  maximum,
  mean,
  mul,
  neg,
  oneHot,
  type Scalar,
  scalar,
  sum,
  type Tensor,
  tidy,
} from '@tensorflow/tfjs-core';

export interface DistillationLossOptions {
  /** Temperature T > 0 of both softmaxes in the soft term. */
  temperature: number;
  /** Weight of the soft term (before the T^2 factor). Default 0.9. */
  softWeight?: number;
  /** Weight of the hard-label term. Default 0.1 (Hinton et al.: "a considerably lower weight"). */
  hardWeight?: number;
  /**
   * 'cross-entropy' (Hinton et al.) or 'kl' (PyTorch's KLDivLoss recipe): KL is the cross-entropy
   * minus the teacher's entropy, a constant of the student, so both have the same gradient. Default 'cross-entropy'.
   */
  soft?: 'cross-entropy' | 'kl';
}

export interface DistillationLoss {
  /** softWeight T^2 soft + hardWeight hard. */
  total: Scalar;
  /** The soft term, batch mean, without weight or T^2. */
  soft: Scalar;
  /** The hard term, batch mean (0 when no labels are given). */
  hard: Scalar;
}

/** Checks the options; returns them with defaults filled in. */
export function distillationLossOptions(o: DistillationLossOptions): Required<DistillationLossOptions> {
  const { temperature, softWeight = 0.9, hardWeight = 0.1, soft = 'cross-entropy' } = o;
  if (!(Number.isFinite(temperature) && temperature > 0))
    throw new RangeError(`temperature must be a finite number > 0, got ${temperature}`);
  for (const [k, v] of [
    ['softWeight', softWeight],
    ['hardWeight', hardWeight],
  ] as const)
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${k} must be a finite number >= 0, got ${v}`);
  if (soft !== 'cross-entropy' && soft !== 'kl')
    throw new RangeError(`soft must be 'cross-entropy' or 'kl', got '${soft}'`);
  return { temperature, softWeight, hardWeight, soft };
}

/**
 * The loss of a batch: `studentLogits` [n, C], `teacherProbs` [n, C] (the teacher's soft targets at
 * the same temperature, rows summing to 1), `labels` int32 class indices [n] (omit for soft only).
 * The caller owns the three scalars returned.
 */
export function distillationLoss(
  studentLogits: Tensor,
  teacherProbs: Tensor,
  labels: Tensor | undefined,
  options: DistillationLossOptions,
): DistillationLoss {
  const { temperature: T, softWeight, hardWeight, soft } = distillationLossOptions(options);
  if (studentLogits.rank !== 2 || teacherProbs.shape.join() !== studentLogits.shape.join())
    throw new RangeError(
      `distillationLoss: student logits [${studentLogits.shape}] and teacher targets [${teacherProbs.shape}] must be the same [n, classes]`,
    );
  const [n, classes] = studentLogits.shape as [number, number];
  if (labels && (labels.rank !== 1 || labels.shape[0] !== n))
    throw new RangeError(`distillationLoss: labels [${labels.shape}] must be [${n}]`);
  return tidy(() => {
    const logQ = logSoftmax(mul(studentLogits, 1 / T));
    let softTerm = neg(mean(sum(mul(teacherProbs, logQ), 1)));
    // p log p with 0 log 0 = 0: the clamp only touches entries the product zeroes anyway
    if (soft === 'kl')
      softTerm = add(softTerm, mean(sum(mul(teacherProbs, log(maximum(teacherProbs, 1e-30))), 1)));
    const hardTerm = labels
      ? neg(
          mean(
            sum(mul(cast(oneHot(cast(labels, 'int32'), classes), 'float32'), logSoftmax(studentLogits)), 1),
          ),
        )
      : scalar(0);
    const total = add(mul(softTerm, softWeight * T * T), mul(hardTerm, hardWeight));
    return { total: total as Scalar, soft: softTerm as Scalar, hard: hardTerm as Scalar };
  });
}
