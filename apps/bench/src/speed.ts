// Speed workloads W1-W3 (dcgan, wgangp, lenet300): our median time per iteration and the PyTorch
// peer's (../shared/peers/torch_peer.py), each side at the same thread counts, in one run. Ours runs in
// this Node process and/or in headless Chromium (chromium.ts): one JSON line per runtime, one peer run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type BackendReport, initBackend, labRuntime } from '@lab/core';
import { FILE_LIMITS, readFileLimited } from '@lab/core/node';
import { findSharedData } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import type { Runtime } from './chromium-options.js';
import { kernelMacs } from './flops.js';
import { peerEnv } from './peer-env.js';
import { parsePeerMedianMs, SPEED_PEER } from './speed-peer.js';
import { timeSteps } from './speed-steps.js';
import { WORKLOADS } from './workloads.js';

export type SpeedWorkload = keyof typeof WORKLOADS;

export interface SpeedOptions {
  /** Timed iterations (after 3 warm-up ones). */
  iters: number;
  /** Thread counts that both sides run at; the first is the reference figure (ours_ms, peer_ms). */
  threads: number[];
  peer: boolean;
  profile: boolean;
  /** The backend report of the bench's start (its SIMD level is printed). */
  report: BackendReport;
  /** Where ours runs, one JSON line each (default: this Node process only). */
  runtimes?: Runtime[];
  /** Chromium: the page's navigator.hardwareConcurrency instead of the browser's (chromium.ts). */
  chromiumCores?: number;
}

export const isSpeedWorkload = (name: string): name is SpeedWorkload => Object.hasOwn(WORKLOADS, name);

function cpuSimd(): string {
  try {
    const flags = readFileLimited('/proc/cpuinfo', FILE_LIMITS.text).toString('utf8');
    if (/\bavx512f\b/.test(flags)) return 'avx512';
    if (/\bavx2\b/.test(flags)) return 'avx2';
    return 'sse';
  } catch {
    return 'unknown';
  }
}

/** The BLAS library the peer's torch loads (Debian's reference libblas3 makes it ~10x slower). */
function peerBlas(): string | null {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      "import torch; torch.mm(torch.ones(64, 64), torch.ones(64, 64)); print(' '.join(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l})))",
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) return null;
  const libs = r.stdout.trim();
  if (/openblas|mkl|blis/i.test(libs))
    return libs.split(' ').find((l) => /openblas|mkl|blis/i.test(l)) ?? libs;
  return libs || 'none';
}

/**
 * The peer's median ms per iteration at `threads`, or null when torch or the script is missing or the
 * peer fails; a PeerOutputError when it succeeds without a median.
 */
function peerMs(mode: string, threads: number, iters: number): number | null {
  const python = '/usr/bin/python3';
  const script = join(dirname(findSharedData()), 'peers', SPEED_PEER);
  if (!existsSync(python) || !existsSync(script)) return null;
  if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return null;
  const r = spawnSync(python, [script, mode, String(threads), String(iters)], {
    encoding: 'utf8',
    env: peerEnv(threads),
  });
  if (r.status !== 0) {
    process.stderr.write(`peer failed: ${r.error?.message ?? ''}${(r.stderr ?? '').slice(-2000)}\n`);
    return null;
  }
  // it ran and said something else: a broken or changed script, not a missing peer
  return parsePeerMedianMs(r.stdout);
}

function profile(step: () => void, peakGflops: number | null): Promise<void> {
  return tf.profile(step).then((info) => {
    const byKernel = new Map<string, { ms: number; calls: number; macs: number }>();
    for (const k of info.kernels) {
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0, macs: 0 };
      e.ms += Number(k.kernelTimeMs) || 0;
      e.calls++;
      e.macs += kernelMacs(k.name, k.inputShapes, k.outputShapes[0]) ?? 0;
      byKernel.set(k.name, e);
    }
    const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((a, [, e]) => a + e.ms, 0);
    process.stderr.write(`kernel breakdown of one iteration (total ${total.toFixed(1)} ms in kernels):\n`);
    for (const [name, e] of rows.slice(0, 25)) {
      // products and convolutions: GFLOP/s, and its fraction of the measured one-thread FMA peak
      const gflops = e.macs && e.ms > 0 ? (2 * e.macs) / 1e6 / e.ms : null;
      const rate = gflops
        ? `  ${gflops.toFixed(1)} GFLOP/s${peakGflops ? ` (${((100 * gflops) / peakGflops).toFixed(0)}% of peak)` : ''}`
        : '';
      process.stderr.write(
        `  ${name.padEnd(28)} ${e.ms.toFixed(1).padStart(9)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${e.calls} calls${rate}\n`,
      );
    }
  });
}

export interface OursRun {
  /** Threads asked for. */
  threads: number;
  /** Threads @lab's kernels actually ran on (fewer where the runtime has no kernel threads). */
  ran: number;
  ms: number;
  leaked: number;
  flops: number;
}

async function oursAt(
  name: SpeedWorkload,
  threads: number,
  o: SpeedOptions,
  first: boolean,
): Promise<OursRun> {
  const r = await initBackend({ backend: 'wasm', threads });
  if (r.threads !== threads)
    process.stderr.write(`warning: ours ran on ${r.threads} thread(s) when ${threads} were asked\n`);
  const w = WORKLOADS[name](0);
  const { ms, leaked } = timeSteps(w, o.iters);
  if (o.profile && first) await profile(() => w.step(), labRuntime().fmaPeakGflops());
  w.dispose();
  return { threads, ran: r.threads, ms, leaked, flops: w.flops };
}

/** Our runs of one workload at each thread count in one runtime, and what that runtime reports. */
export interface OursSide {
  runtime: Runtime;
  /** One run per thread count of o.threads, in order. */
  runs: OursRun[];
  backend: string;
  simd: boolean;
  /** One core's 128-bit multiply-add peak in GFLOP/s, or null where it was not measured. */
  fmaPeakGflops: number | null;
  /** This runtime's own fields, appended to its line. */
  extra: Record<string, unknown>;
}

async function nodeSide(name: SpeedWorkload, o: SpeedOptions): Promise<OursSide> {
  const runs: OursRun[] = [];
  for (const t of o.threads) runs.push(await oursAt(name, t, o, runs.length === 0));
  await initBackend({ backend: 'wasm', threads: 1 });
  return {
    runtime: 'node',
    runs,
    backend: o.report.backend,
    simd: o.report.simd,
    fmaPeakGflops: labRuntime().fmaPeakGflops(),
    extra: {},
  };
}

/** Runs one speed workload on both sides at every thread count of o.threads; one JSON-ready record per runtime. */
export async function speedBench(name: SpeedWorkload, o: SpeedOptions): Promise<Record<string, unknown>[]> {
  const sides: OursSide[] = [];
  for (const runtime of o.runtimes ?? ['node']) {
    if (runtime === 'node') sides.push(await nodeSide(name, o));
    else {
      if (o.profile) process.stderr.write('--profile: the kernel breakdown is of the Node run only\n');
      // loaded only when asked for: playwright-core and esbuild are not needed otherwise
      const { chromiumSide } = await import('./chromium.js');
      sides.push(await chromiumSide(name, o, { isolated: runtime === 'chromium' }));
    }
  }
  const blas = o.peer ? peerBlas() : null;
  if (blas && !/openblas|mkl|blis/i.test(blas)) {
    process.stderr.write(
      `warning: the peer's torch uses the reference BLAS (${blas}), which makes it about 10x slower than ` +
        'a normal install; apt-get install libopenblas0-pthread for a fair comparison\n',
    );
  }
  const peerBy: { threads: number; ms: number }[] = [];
  if (o.peer) {
    for (const t of o.threads) {
      const ms = peerMs(name, t, o.iters);
      if (ms === null) break;
      peerBy.push({ threads: t, ms });
    }
  }
  return sides.map((side) => speedLine(name, o, side, peerBy, blas));
}

/** The JSON line of one runtime's runs beside the peer's. */
function speedLine(
  name: SpeedWorkload,
  o: SpeedOptions,
  side: OursSide,
  peerBy: { threads: number; ms: number }[],
  blas: string | null,
): Record<string, unknown> {
  const oursBy = side.runs;
  const first = oursBy[0]!;
  const oursBest = oursBy.reduce((a, b) => (b.ms < a.ms ? b : a));
  const leaked = Math.max(...oursBy.map((r) => r.leaked));
  // the reference figures are at the first thread count, on both sides
  const peerFirst = peerBy.find((p) => p.threads === first.threads)?.ms ?? null;
  const peerBest = peerBy.length ? peerBy.reduce((a, b) => (b.ms < a.ms ? b : a)) : null;
  const round = (x: number | null, d = 1) => (x === null ? null : Number(x.toFixed(d)));
  // the ceiling: one core's 128-bit multiply-add peak, times the threads ours_gflops ran on
  const peak = side.fmaPeakGflops;
  const peakOk = peak !== null && Number.isFinite(peak) && peak > 0;
  const oursGflops = first.flops / 1e6 / first.ms;
  return {
    workload: name,
    runtime: side.runtime,
    ours_ms: round(first.ms),
    peer_ms: round(peerFirst),
    ratio: peerFirst ? round(first.ms / peerFirst, 3) : null,
    backend: side.backend,
    threads: first.ran,
    simd: side.simd,
    ours_best_ms: round(oursBest.ms),
    ours_best_threads: oursBest.ran,
    peer_blas: blas,
    peer_best_ms: round(peerBest?.ms ?? null),
    peer_best_threads: peerBest?.threads ?? null,
    ratio_best: peerBest ? round(oursBest.ms / peerBest.ms, 3) : null,
    cpu_simd: cpuSimd(),
    gflop_per_iter: round(first.flops / 1e9, 2),
    ours_gflops: round(oursGflops, 1),
    fma_peak_gflops: peakOk ? round(peak, 1) : null,
    ours_fraction_of_peak: peakOk ? round(oursGflops / (peak * first.ran), 3) : null,
    peer_gflops: peerFirst ? round(first.flops / 1e6 / peerFirst, 1) : null,
    iters: o.iters,
    leaked_tensors: leaked,
    threads_tried: o.threads,
    ours_by_threads: oursBy.map((r) => ({ threads: r.threads, ran: r.ran, ms: round(r.ms) })),
    peer_by_threads: peerBy.map((p) => ({ threads: p.threads, ms: round(p.ms) })),
    ...side.extra,
  };
}
