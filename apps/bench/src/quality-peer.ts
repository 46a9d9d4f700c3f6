// What apps/bench/peers/quality_peer.py prints on its last line, checked before any figure is taken
// from it: the sample files, the checkpoints (steps within the run, each with the critic's W estimates
// up to it) and the timings.
import {
  lastJsonObject,
  numberArrayField,
  numberField,
  optionalNumberField,
  PeerOutputError,
  recordField,
  stringField,
} from './peer-output.js';

export const QUALITY_PEER = 'quality_peer.py';

export interface QualityPeerResult {
  samples: string;
  /** Checkpoint samples by training step, in step order. */
  checkpoints: { step: number; file: string }[];
  w_estimate: number[];
  /** Training time per iteration, without the time spent writing checkpoint samples. */
  ms_per_iter: number;
  /** Time spent generating and writing checkpoint samples (wgan). */
  checkpoint_seconds?: number;
}

/**
 * The peer's result from its stdout, for a run of `iters` iterations; a PeerOutputError names the field.
 * A wgan run's checkpoints each need the critic's W estimates up to them; a gan run has none.
 */
export function parseQualityPeer(
  stdout: string,
  iters: number,
  mode: 'gan' | 'wgan' = 'wgan',
): QualityPeerResult {
  const script = QUALITY_PEER;
  const o = lastJsonObject(stdout, script);
  const w = numberArrayField(o, 'w_estimate', script);
  const checkpoints = [
    ...recordField(o, 'checkpoints', script, (key, file) => {
      const step = Number(key);
      if (!/^\d+$/.test(key) || step < 1 || step > iters)
        throw new PeerOutputError(script, `checkpoints.${key}`, `not a step in [1, ${iters}]`);
      if (mode === 'wgan' && step > w.length)
        throw new PeerOutputError(
          script,
          `checkpoints.${key}`,
          `a checkpoint after step ${step} but only ${w.length} W estimates`,
        );
      if (typeof file !== 'string' || file === '')
        throw new PeerOutputError(script, `checkpoints.${key}`, 'expected the name of a .npy file');
      return { step, file };
    }).values(),
  ].sort((a, b) => a.step - b.step);
  const checkpointSeconds = optionalNumberField(o, 'checkpoint_seconds', script, { min: 0 });
  return {
    samples: stringField(o, 'samples', script),
    checkpoints,
    w_estimate: w,
    ms_per_iter: numberField(o, 'ms_per_iter', script, { min: 0 }),
    ...(checkpointSeconds === undefined ? {} : { checkpoint_seconds: checkpointSeconds }),
  };
}
