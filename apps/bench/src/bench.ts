// pnpm bench dcgan|wgangp|lenet300|gan-quality|wgan-quality|depparse [--iters N] [--profile] [--no-peer]
// [--threads 1,2] [--peer-threads 1,2]
// Prints one JSON line per workload with our time, the PyTorch peer's (same run), and their ratio.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { initBackend } from '@lab/core';
import { findSharedData } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { Command, InvalidArgumentError } from 'commander';
import { depparseBench } from './depparse.js';
import { ganParity } from './parity.js';
import { peerEnv } from './peer-env.js';
import { ganQuality, wganQuality } from './quality.js';
import { WORKLOADS } from './workloads.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function cpuSimd(): string {
  try {
    const flags = readFileSync('/proc/cpuinfo', 'utf8');
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

function peer(mode: string, threads: number, iters: number): number | null {
  const python = '/usr/bin/python3';
  const script = join(dirname(findSharedData()), 'peers', 'torch_peer.py');
  if (!existsSync(python) || !existsSync(script)) return null;
  if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return null;
  const r = spawnSync(python, [script, mode, String(threads), String(iters)], {
    encoding: 'utf8',
    env: peerEnv(threads),
  });
  const m = /median=([\d.]+)/.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) {
    process.stderr.write(`peer failed: ${r.stderr}\n`);
    return null;
  }
  return Number(m[1]);
}

function profile(step: () => void): Promise<void> {
  return tf.profile(step).then((info) => {
    const byKernel = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += Number(k.kernelTimeMs) || 0;
      e.calls++;
      byKernel.set(k.name, e);
    }
    const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((a, [, e]) => a + e.ms, 0);
    process.stderr.write(`kernel breakdown of one iteration (total ${total.toFixed(1)} ms in kernels):\n`);
    for (const [name, e] of rows.slice(0, 25)) {
      process.stderr.write(
        `  ${name.padEnd(28)} ${e.ms.toFixed(1).padStart(9)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${e.calls} calls\n`,
      );
    }
  });
}

const QUALITY = ['gan-quality', 'gan-parity', 'wgan-quality', 'depparse'];

const program = new Command('bench')
  .argument('<workloads...>', `any of ${[...Object.keys(WORKLOADS), ...QUALITY].join(', ')}`)
  .option('--iters <n>', 'timed iterations (after 3 warm-up)', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('--iters must be a positive integer');
    return n;
  })
  .option('--width <n>', 'wgan-quality: DCGAN base width (64 is W1/W2)', (v) => Number(v), 32)
  .option(
    '--checkpoints <n>',
    'wgan-quality: checkpoints scored for the Spearman correlation',
    (v) => Number(v),
    8,
  )
  .option('--seed <n>', 'quality workloads: seed', (v) => Number(v), 0)
  .option('--no-epoch', 'depparse: skip timing a training epoch')
  .option('--quiet', 'quality workloads: no progress on stderr')
  .option('--profile', 'print a per-kernel breakdown of one iteration')
  .option('--no-peer', 'skip the PyTorch peer')
  .option('--peer-threads <list>', 'peer thread counts to try (best is reported)', '1,2')
  .option(
    '--threads <list>',
    'our thread counts to try (Node: @lab kernel threads; the first is the one-thread figure, best is reported)',
    `1,${availableParallelism()}`,
  )
  .action(async (names: string[], o) => {
    const report = await initBackend({ backend: 'wasm' });
    for (const name of names) {
      if (name === 'gan-quality') {
        console.log(
          JSON.stringify(
            await ganQuality({ iters: o.iters ?? 3000, peer: o.peer, seed: o.seed, quiet: o.quiet }),
          ),
        );
        continue;
      }
      if (name === 'gan-parity') {
        const parity = await ganParity({ width: 64, steps: o.iters ?? 30, seed: o.seed, quiet: o.quiet });
        console.log(JSON.stringify(parity));
        continue;
      }
      if (name === 'depparse') {
        console.log(JSON.stringify(await depparseBench({ epoch: o.epoch, quiet: o.quiet })));
        continue;
      }
      if (name === 'wgan-quality') {
        const q = { iters: o.iters ?? 400, peer: o.peer, seed: o.seed, quiet: o.quiet, width: o.width };
        console.log(JSON.stringify(await wganQuality({ ...q, checkpoints: o.checkpoints })));
        continue;
      }
      const make = WORKLOADS[name as keyof typeof WORKLOADS];
      if (!make)
        throw new InvalidArgumentError(`unknown workload '${name}' (${Object.keys(WORKLOADS).join(', ')})`);
      const iters: number = o.iters ?? (name === 'wgangp' ? 5 : name === 'dcgan' ? 10 : 50);
      // ours at each thread count (Node: @lab's kernel threads); the first count is the one-thread figure
      const oursBy: { threads: number; ms: number; leaked: number; flops: number }[] = [];
      for (const t of String(o.threads).split(',').map(Number)) {
        const r = await initBackend({ backend: 'wasm', threads: t });
        const w = make(0);
        for (let i = 0; i < 3; i++) w.step();
        const before = tf.memory().numTensors;
        const times: number[] = [];
        for (let i = 0; i < iters; i++) {
          const started = performance.now();
          w.step();
          times.push(performance.now() - started);
        }
        const leaked = tf.memory().numTensors - before;
        if (o.profile && oursBy.length === 0) await profile(() => w.step());
        w.dispose();
        oursBy.push({ threads: r.threads, ms: median(times), leaked, flops: w.flops });
      }
      await initBackend({ backend: 'wasm', threads: 1 });
      const first = oursBy[0]!;
      const ours = first.ms;
      const oursBest = oursBy.reduce((a, b) => (b.ms < a.ms ? b : a));
      const leaked = Math.max(...oursBy.map((r) => r.leaked));
      let peer1: number | null = null;
      let best: { ms: number; threads: number } | null = null;
      const blas = o.peer ? peerBlas() : null;
      if (blas && !/openblas|mkl|blis/i.test(blas)) {
        process.stderr.write(
          `warning: the peer's torch uses the reference BLAS (${blas}), which makes it about 10x slower than ` +
            'a normal install; apt-get install libopenblas0-pthread for a fair comparison\n',
        );
      }
      if (o.peer) {
        for (const t of String(o.peerThreads).split(',').map(Number)) {
          const ms = peer(name, t, iters);
          if (ms === null) break;
          if (t === 1) peer1 = ms;
          if (!best || ms < best.ms) best = { ms, threads: t };
        }
      }
      const round = (x: number | null, d = 1) => (x === null ? null : Number(x.toFixed(d)));
      console.log(
        JSON.stringify({
          workload: name,
          ours_ms: round(ours),
          peer_ms: round(peer1),
          ratio: peer1 ? round(ours / peer1, 3) : null,
          backend: report.backend,
          threads: first.threads,
          simd: report.simd,
          ours_best_ms: round(oursBest.ms),
          ours_best_threads: oursBest.threads,
          peer_blas: blas,
          peer_best_ms: round(best?.ms ?? null),
          peer_best_threads: best?.threads ?? null,
          ratio_best: best ? round(oursBest.ms / best.ms, 3) : null,
          cpu_simd: cpuSimd(),
          gflop_per_iter: round(first.flops / 1e9, 2),
          ours_gflops: round(first.flops / 1e6 / ours, 1),
          peer_gflops: peer1 ? round(first.flops / 1e6 / peer1, 1) : null,
          iters,
          leaked_tensors: leaked,
        }),
      );
    }
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
