// `pnpm bench precision`: each op of W1 and W2, forward and backward on W1's shapes, in float32 on our
// backend and in PyTorch float32, both against PyTorch float64 from the same inputs. The peer
// (peers/precision_peer.py) draws the inputs, hands them over as .npy files with its float64 results,
// and reports its own float32 errors; we run the same ops through @lab and measure ours.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { peerEnv } from './peer-env.js';
import { MAX_PEER_OUTPUT, PeerOutputError } from './peer-output.js';
import { errorFigures, errorRatio, joinHiLo } from './precision-error.js';
import { type OpSpec, precisionOps } from './precision-ops.js';
import { type OpInputs, runOurs } from './precision-ours.js';
import {
  type PeerResult,
  PRECISION_PEER,
  parsePrecisionPeer,
  peerResultsOf,
  readPrecisionInputs,
  readPrecisionReference,
} from './precision-peer.js';

export interface PrecisionOptions {
  seed: number;
  quiet?: boolean;
  /** ours / peer's relative error above which an op is flagged (the bound). */
  flagRatio?: number;
}

export interface PrecisionLine {
  workload: 'precision';
  op: string;
  pass: string;
  ours_rel_err: number;
  peer_rel_err: number;
  ratio: number | null;
  ours_max_abs: number;
  peer_max_abs: number;
  worse: boolean;
}

/** The inputs of op `index` that the peer wrote, checked, as tensors. */
function loadInputs(dir: string, index: number, spec: OpSpec): OpInputs {
  const out: OpInputs = {};
  for (const [name, { data, shape }] of readPrecisionInputs(dir, index, spec))
    out[name] = tf.tensor(data, shape);
  return out;
}

function runPeer(dir: string, ops: OpSpec[], seed: number): { torch: string; results: PeerResult[] } {
  const python = '/usr/bin/python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', PRECISION_PEER);
  if (!existsSync(python)) throw new Error('precision: /usr/bin/python3 (python3-torch) is not installed');
  const opsFile = join(dir, 'ops.json');
  writeFileSync(opsFile, JSON.stringify(ops));
  const r = spawnSync(python, [script, '--ops', opsFile, '--out', dir, '--seed', String(seed)], {
    encoding: 'utf8',
    env: peerEnv(1),
    maxBuffer: MAX_PEER_OUTPUT,
  });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOBUFS')
    throw new PeerOutputError(PRECISION_PEER, undefined, `printed more than ${MAX_PEER_OUTPUT} bytes`);
  if (r.status !== 0)
    throw new Error(`precision peer failed: ${r.error ? r.error.message : (r.stderr ?? '').slice(-2000)}`);
  return parsePrecisionPeer(r.stdout, ops);
}

const sig = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(3)) : x);

function table(lines: PrecisionLine[]): string {
  const head = ['op', 'pass', 'ours rel', 'peer rel', 'ratio', 'ours max', 'peer max'];
  const rows = lines.map((l) => [
    l.op,
    l.pass,
    l.ours_rel_err.toExponential(2),
    l.peer_rel_err.toExponential(2),
    l.ratio === null ? 'n/a' : `${l.ratio.toFixed(2)}${l.worse ? ' !' : ''}`,
    l.ours_max_abs.toExponential(2),
    l.peer_max_abs.toExponential(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [fmt(head), ...rows.map(fmt)].join('\n');
}

/** Runs every op on both sides; returns one line per op and pass. */
export function precisionBench(o: PrecisionOptions): PrecisionLine[] {
  const flag = o.flagRatio ?? 1.5;
  const ops = precisionOps();
  const dir = mkdtempSync(join(tmpdir(), 'lab-precision-'));
  try {
    if (!o.quiet) process.stderr.write('precision: the PyTorch runs (float32 and float64)\n');
    const peer = runPeer(dir, ops, o.seed);
    const lines: PrecisionLine[] = [];
    ops.forEach((spec, index) => {
      if (!o.quiet) process.stderr.write(`precision: ours, ${spec.op}\n`);
      const inputs = loadInputs(dir, index, spec);
      try {
        const ours = runOurs(spec, inputs);
        for (const r of peerResultsOf(peer.results, index, spec, ours)) {
          const x = ours[r.pass]!;
          const { hi, lo } = readPrecisionReference(dir, index, r.pass, x.length);
          const ref = joinHiLo(hi, lo);
          const e = errorFigures(x, ref);
          const ratio = errorRatio(e.relErr, r.rel_err);
          lines.push({
            workload: 'precision',
            op: spec.op,
            pass: r.pass,
            ours_rel_err: sig(e.relErr),
            peer_rel_err: sig(r.rel_err),
            ratio: ratio === null ? null : sig(ratio),
            ours_max_abs: sig(e.maxAbs),
            peer_max_abs: sig(r.max_abs),
            worse: ratio === null || ratio > flag,
          });
        }
      } finally {
        tf.dispose(Object.values(inputs));
      }
    });
    if (!o.quiet)
      process.stderr.write(`${table(lines)}\n(PyTorch ${peer.torch}; ! = ours > ${flag}x the peer's)\n`);
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
