// What ../shared/peers/torch_peer.py prints ("... ms/iter median=12.3 min=11.9"): the median time per
// iteration, checked to be a positive finite number, or a PeerOutputError naming the script and field.
import { PeerOutputError } from './peer-output.js';

export const SPEED_PEER = 'torch_peer.py';

/** The peer's median ms per iteration from its stdout. */
export function parsePeerMedianMs(stdout: string): number {
  const found = /\bmedian=(\S*)/.exec(stdout);
  if (!found)
    throw new PeerOutputError(SPEED_PEER, 'median=', `missing from its output: ${stdout.slice(0, 80)}`);
  const text = found[1]!;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(ms > 0) || !Number.isFinite(ms))
    throw new PeerOutputError(
      SPEED_PEER,
      'median=',
      `expected a positive number of milliseconds, got '${text}'`,
    );
  return ms;
}
