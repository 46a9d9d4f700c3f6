// `pnpm bench precision`: each op of W1 and W2, forward and backward on W1's shapes, in float32 on our
// backend and in PyTorch float32, both against PyTorch float64 from the same inputs. The peer
// (peers/precision_peer.py) draws the inputs, hands them over as .npy files with its float64 results,
// and reports its own float32 errors; we run the same ops through @lab and measure ours.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNpy } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { peerEnv } from './peer-env.js';
import { errorFigures, errorRatio, joinHiLo } from './precision-error.js';
import { type OpSpec, precisionOps } from './precision-ops.js';
import { type OpInputs, runOurs } from './precision-ours.js';

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

interface PeerResult {
  index: number;
  op: string;
  pass: string;
  rel_err: number;
  max_abs: number;
}

function readNpy(path: string): { data: Float32Array; shape: number[] } {
  try {
    return parseNpy(readFileSync(path));
  } catch (e) {
    throw new Error(`precision: ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The inputs of op `index` that the peer wrote, as tensors. */
function loadInputs(dir: string, index: number): OpInputs {
  const prefix = `${index}.in.`;
  const out: OpInputs = {};
  for (const f of readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.npy'))) {
    const { data, shape } = readNpy(join(dir, f));
    out[f.slice(prefix.length, -4)] = tf.tensor(data, shape);
  }
  return out;
}

function runPeer(dir: string, ops: OpSpec[], seed: number): { torch: string; results: PeerResult[] } {
  const python = '/usr/bin/python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'precision_peer.py');
  if (!existsSync(python)) throw new Error('precision: /usr/bin/python3 (python3-torch) is not installed');
  const opsFile = join(dir, 'ops.json');
  writeFileSync(opsFile, JSON.stringify(ops));
  const r = spawnSync(python, [script, '--ops', opsFile, '--out', dir, '--seed', String(seed)], {
    encoding: 'utf8',
    env: peerEnv(1),
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0)
    throw new Error(`precision peer failed: ${r.error ? r.error.message : (r.stderr ?? '').slice(-2000)}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let out: { torch?: unknown; results?: unknown };
  try {
    out = JSON.parse(last) as typeof out;
  } catch {
    throw new Error(`precision peer: unreadable output line: ${last.slice(0, 200)}`);
  }
  if (!Array.isArray(out.results))
    throw new Error(`precision peer: output line without a results list: ${last.slice(0, 200)}`);
  return { torch: String(out.torch), results: out.results as PeerResult[] };
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
      const inputs = loadInputs(dir, index);
      try {
        const ours = runOurs(spec, inputs);
        const expected = peer.results.filter((r) => r.index === index);
        const missing = Object.keys(ours).filter((p) => !expected.some((r) => r.pass === p));
        if (missing.length > 0)
          throw new Error(`precision: op '${spec.op}': the peer has no pass ${missing.join(', ')}`);
        for (const r of expected) {
          const x = ours[r.pass];
          if (!x) throw new Error(`precision: op '${spec.op}': we computed no pass '${r.pass}'`);
          const ref = joinHiLo(
            readNpy(join(dir, `${index}.ref.${r.pass}.hi.npy`)).data,
            readNpy(join(dir, `${index}.ref.${r.pass}.lo.npy`)).data,
          );
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
