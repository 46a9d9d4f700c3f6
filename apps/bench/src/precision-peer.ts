// What peers/precision_peer.py hands over, read as hostile input: its JSON line (the PyTorch version
// and, per op and pass, its own float32 errors) and the .npy files it writes (each op's inputs and
// float64 references). Every field and file is checked against the op list both sides read; a fault
// is a PeerOutputError naming the field or the file.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  lastJsonObject,
  numberField,
  objectArrayField,
  PeerOutputError,
  readPeerNpy,
  stringField,
} from './peer-output.js';
import { type OpSpec, precisionInputShapes } from './precision-ops.js';

export const PRECISION_PEER = 'precision_peer.py';

/** The peer's float32 errors for one pass of one op. */
export interface PeerResult {
  /** The op's position in the op list. */
  index: number;
  op: string;
  pass: string;
  rel_err: number;
  max_abs: number;
}

/** A pass name: dotted words (`forward`, `backward.x`, `backward.0.weight`); it is part of a file name. */
const PASS_NAME = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

/** The peer's last line, checked field by field against `ops` (the list it was given). */
export function parsePrecisionPeer(
  stdout: string,
  ops: readonly OpSpec[],
): { torch: string; results: PeerResult[] } {
  const S = PRECISION_PEER;
  const o = lastJsonObject(stdout, S);
  const torch = stringField(o, 'torch', S);
  const seen = new Set<string>();
  const results = objectArrayField(o, 'results', S).map((r, i): PeerResult => {
    const at = `results[${i}].`;
    const index = numberField(r, 'index', S, { min: 0, max: ops.length - 1, integer: true }, at);
    const op = stringField(r, 'op', S, at);
    if (op !== ops[index]!.op)
      throw new PeerOutputError(S, `${at}op`, `'${op}' is not op ${index} of the list ('${ops[index]!.op}')`);
    const pass = stringField(r, 'pass', S, at);
    if (!PASS_NAME.test(pass))
      throw new PeerOutputError(S, `${at}pass`, `'${pass.slice(0, 40)}' is not a pass name (dotted words)`);
    const key = `${index} ${pass}`;
    if (seen.has(key))
      throw new PeerOutputError(S, `${at}pass`, `op ${index}'s pass '${pass}' appears twice`);
    seen.add(key);
    const rel_err = numberField(r, 'rel_err', S, { min: 0 }, at);
    const max_abs = numberField(r, 'max_abs', S, { min: 0 }, at);
    return { index, op, pass, rel_err, max_abs };
  });
  return { torch, results };
}

/**
 * The peer's results for op `index`, matched with the passes we computed (`ours`' own keys): a pass
 * on one side only is a PeerOutputError (a pass named `constructor` is not one of ours).
 */
export function peerResultsOf(
  results: readonly PeerResult[],
  index: number,
  spec: OpSpec,
  ours: Record<string, unknown>,
): PeerResult[] {
  const theirs = results.filter((r) => r.index === index);
  const missing = Object.keys(ours).filter((p) => !theirs.some((r) => r.pass === p));
  if (missing.length > 0)
    throw new PeerOutputError(PRECISION_PEER, 'results', `op '${spec.op}' has no pass ${missing.join(', ')}`);
  const extra = theirs.find((r) => !Object.hasOwn(ours, r.pass));
  if (extra !== undefined)
    throw new PeerOutputError(
      PRECISION_PEER,
      'results',
      `op '${spec.op}': we compute no pass '${extra.pass}'`,
    );
  return theirs;
}

/**
 * The inputs of op `index` from `dir`: exactly the files precisionInputShapes names, each of its
 * shape; a missing, extra or misshapen input is a PeerOutputError naming the file.
 */
export function readPrecisionInputs(
  dir: string,
  index: number,
  spec: OpSpec,
): Map<string, { data: Float32Array; shape: number[] }> {
  const expected = precisionInputShapes(spec);
  const prefix = `${index}.in.`;
  for (const f of readdirSync(dir)) {
    if (f.startsWith(prefix) && f.endsWith('.npy') && !expected.has(f.slice(prefix.length, -4)))
      throw new PeerOutputError(PRECISION_PEER, f, `op '${spec.op}' takes no input of that name`);
  }
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [name, shape] of expected)
    out.set(name, readPeerNpy(join(dir, `${prefix}${name}.npy`), PRECISION_PEER, shape));
  return out;
}

/**
 * The float64 reference of op `index`'s pass, sent as two float32 files (high part and remainder),
 * of `length` values (the length of our result).
 */
export function readPrecisionReference(
  dir: string,
  index: number,
  pass: string,
  length: number,
): { hi: Float32Array; lo: Float32Array } {
  const hiFile = `${index}.ref.${pass}.hi.npy`;
  const hi = readPeerNpy(join(dir, hiFile), PRECISION_PEER);
  if (hi.data.length !== length)
    throw new PeerOutputError(PRECISION_PEER, hiFile, `${hi.data.length} values, our result has ${length}`);
  const lo = readPeerNpy(join(dir, `${index}.ref.${pass}.lo.npy`), PRECISION_PEER, hi.shape);
  return { hi: hi.data, lo: lo.data };
}
