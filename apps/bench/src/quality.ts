// Quality workloads: `gan-quality` (issue 6) and `wgan-quality` (issue 7). Both sides train the same
// DCGAN nets on the Fashion-MNIST training images for the same budget; the PyTorch peer
// (apps/bench/peers/quality_peer.py) exports its samples as .npy and our evaluator scores both.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adam, type ImageDataset, Optimizer, Rng } from '@lab/core';
import { FILE_LIMITS, loadMnistSplit, readFileLimited } from '@lab/core/node';
import { findSharedData } from '@lab/core/testing';
import {
  dcganDiscriminator,
  dcganGenerator,
  Evaluator,
  frechetDistance,
  imagesTensor,
  kernelDistance,
  mlpDiscriminator,
  mlpGenerator,
  modeCoverage,
  ring8,
  sampleMixture,
  trainGan,
} from '@lab/gan';
import { spearman, trainWgan } from '@lab/wgan';
import * as tf from '@tensorflow/tfjs-core';
import { readImagesNpy } from './bench-files.js';
import { peerEnv } from './peer-env.js';
import { OutputCollector } from './peer-output.js';
import {
  type GanRun,
  ganQualityLine,
  seedCurves,
  type WganRun,
  wganQualityLine,
} from './quality-aggregate.js';
import { featureSpread, isCollapsed } from './quality-collapse.js';
import { parseQualityPeer, QUALITY_PEER, type QualityPeerResult } from './quality-peer.js';
import { checkPlotPath, plotFdCurves } from './quality-plot.js';
import { seedList } from './seeds.js';

const Z = 100;

/**
 * Starts the peer in the background (it runs on the other core while we train); null when torch is
 * absent. Resolves to null when the peer fails (its stderr is shown); rejects with a PeerOutputError
 * when it exits 0 with output that is not a result for `iters` iterations.
 */
function startPeer(args: string[], iters: number): Promise<QualityPeerResult | null> | null {
  const mode = args[0] === 'gan' ? 'gan' : 'wgan';
  const python = '/usr/bin/python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', QUALITY_PEER);
  if (!existsSync(python) || !existsSync(script)) return null;
  const result = new Promise<QualityPeerResult | null>((resolve, reject) => {
    const env = peerEnv(1);
    const child = spawn(python, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const out = new OutputCollector(QUALITY_PEER);
    let err = '';
    let tooLong: unknown;
    child.stdout.on('data', (d) => {
      try {
        out.add(d);
      } catch (e) {
        tooLong = e;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d) => {
      err = (err + d).slice(-4000);
    });
    child.on('error', () => resolve(null));
    child.on('close', (code) => {
      if (tooLong !== undefined) return reject(tooLong);
      if (code !== 0) {
        process.stderr.write(`quality peer failed (exit ${code}): ${err.slice(-2000)}\n`);
        resolve(null);
        return;
      }
      try {
        resolve(parseQualityPeer(out.text(), iters, mode));
      } catch (e) {
        reject(e);
      }
    });
  });
  // awaited only after our side has trained: until then a rejection is not an unhandled one
  result.catch(() => {});
  return result;
}

function torchInstalled(): boolean {
  return existsSync('/usr/bin/python3');
}

function evaluator(): Evaluator {
  const path = createRequire(import.meta.url).resolve('@lab/gan/assets/fashion-mnist-evaluator.safetensors');
  return Evaluator.fromBytes(readFileLimited(path, FILE_LIMITS.tensors));
}

function tanhImages(ds: ImageDataset): tf.Tensor4D {
  return tf.tidy(() => tf.sub(tf.mul(imagesTensor(ds), 2), 1) as tf.Tensor4D);
}

export function generate(G: ReturnType<typeof dcganGenerator>, n: number, seed: number): tf.Tensor4D {
  G.eval();
  const parts: tf.Tensor[] = [];
  for (let s = 0; s < n; s += 500)
    parts.push(
      tf.tidy(() => G.forward(tf.randomNormal([Math.min(500, n - s), Z], 0, 1, 'float32', seed + s))),
    );
  G.train();
  const out = tf.concat(parts, 0) as tf.Tensor4D;
  tf.dispose(parts);
  return out;
}

function npyImages(path: string): tf.Tensor4D {
  const { data, count } = readImagesNpy(path);
  return tf.tensor4d(data, [count, 28, 28, 1]);
}

/**
 * FD and KID of generated images in [-1, 1] against precomputed real features, and their features'
 * spread as a fraction of the real ones' (the collapse rule's number, quality-collapse.ts).
 */
export function score(ev: Evaluator, realFeatures: tf.Tensor2D, fake: tf.Tensor4D) {
  const f = ev.featuresOf(fake, { range: [-1, 1] });
  const fd = frechetDistance(realFeatures, f);
  const kid = kernelDistance(realFeatures, f, { seed: 0 });
  const spread = featureSpread(f) / featureSpread(realFeatures);
  f.dispose();
  return { fd, kid: kid.mean, spread };
}

/**
 * Non-saturating GAN with MLPs on the 8-Gaussian ring: modes covered by 2,500 samples. 5,000 steps at
 * Adam 5e-4 covered 8, 7, 8, 8 modes for seeds 0-3; 3,000 steps at 1e-3 covered 8, 6, 7, 7.
 */
export function ringModes(seed = 0, steps = 5000): { modes: number; highQuality: number } {
  const rng = new Rng(seed);
  const mix = ring8();
  const G = mlpGenerator(2, 2, { hidden: [128, 128], rng, linearOutput: true });
  const D = mlpDiscriminator(2, { hidden: [128, 128], rng });
  const data = sampleMixture(mix, 20000, seed + 1);
  const optG = new Optimizer(adam(5e-4, { b1: 0.5 }), G.trainableParameters());
  const optD = new Optimizer(adam(5e-4, { b1: 0.5 }), D.trainableParameters());
  trainGan({
    G,
    D,
    optG,
    optD,
    rng,
    latent: 2,
    batchSize: 256,
    steps,
    data: { count: data.shape[0], batch: (idx) => tf.tidy(() => tf.gather(data, tf.tensor1d(idx, 'int32'))) },
  });
  const x = tf.tidy(() => G.forward(tf.randomNormal([2500, 2], 0, 1, 'float32', seed + 2))) as tf.Tensor2D;
  const r = modeCoverage(x, mix);
  tf.dispose([x, data]);
  for (const m of [G, D, optG, optD]) m.dispose();
  return { modes: r.modesCovered, highQuality: r.highQuality };
}

export interface QualityOptions {
  iters: number;
  peer: boolean;
  /** The first seed; the runs use seeds seed, seed + 1, ..., seed + seeds - 1. */
  seed: number;
  /** Runs, one per seed (default 1). */
  seeds?: number;
  quiet?: boolean;
  /** Where to write the PNG of both sides' FD curves per seed (none when absent). */
  plot?: string;
}

function log(o: { quiet?: boolean }, text: string) {
  if (!o.quiet) process.stderr.write(`${text}\n`);
}

/** What every seed's run shares: the evaluator, the real test images' features and the training images. */
export interface QualityData {
  dataDir: string;
  ev: Evaluator;
  realFeatures: tf.Tensor2D;
  train: tf.Tensor4D;
}

export function loadQualityData(): QualityData {
  const dataDir = join(findSharedData(), 'fashion-mnist');
  const ev = evaluator();
  const realFeatures = tf.tidy(() => ev.featuresOf(imagesTensor(loadMnistSplit(dataDir, 'test'))));
  const train = tanhImages(loadMnistSplit(dataDir, 'train'));
  return { dataDir, ev, realFeatures, train };
}

export function disposeQualityData(q: QualityData): void {
  for (const m of [q.train, q.realFeatures, q.ev]) m.dispose();
}

/** Runs `run` for each seed in turn, sharing the loaded data; the runs in seed order. */
async function overSeeds<R>(
  o: QualityOptions,
  run: (q: QualityData, seed: number) => Promise<R>,
): Promise<R[]> {
  const seeds = seedList(o.seed, o.seeds ?? 1);
  const q = loadQualityData();
  const runs: R[] = [];
  try {
    for (const seed of seeds) {
      if (seeds.length > 1) log(o, `seed ${seed} (${runs.length + 1}/${seeds.length})`);
      runs.push(await run(q, seed));
    }
  } finally {
    disposeQualityData(q);
  }
  return runs;
}

const r = (x: number | null | undefined, d = 3) => (x == null ? null : Number(x.toFixed(d)));

/** A checkpoint of gan-quality before rounding. */
type GanScore = { step: number; fd: number; kid: number; spread: number };

/**
 * One seed of gan-quality: both sides train the W1 DCGAN for o.iters steps; FD, KID and feature spread
 * of 10k samples each at o.checkpoints evenly spaced steps (noise seed + 1) and at the end (seed + 2).
 */
async function ganQualityRun(
  o: QualityOptions & { checkpoints: number },
  q: QualityData,
  seed: number,
): Promise<GanRun> {
  const { ev, realFeatures, train } = q;
  const work = mkdtempSync(join(tmpdir(), 'lab-gan-quality-'));
  const every = Math.max(1, Math.floor(o.iters / o.checkpoints));
  try {
    const peerRun =
      o.peer && torchInstalled()
        ? startPeer(
            [
              'gan',
              '--data',
              q.dataDir,
              '--iters',
              String(o.iters),
              '--out',
              work,
              '--checkpoints',
              String(o.checkpoints),
              '--checkpoint-samples',
              '10000',
              '--seed',
              String(seed),
            ],
            o.iters,
          )
        : null;
    const rng = new Rng(seed);
    const G = dcganGenerator({ rng });
    const D = dcganDiscriminator({ rng, dropout: 0.3 });
    const optG = new Optimizer(adam(2e-4, { b1: 0.5, b2: 0.999 }), G.trainableParameters());
    const optD = new Optimizer(adam(2e-4, { b1: 0.5, b2: 0.999 }), D.trainableParameters());
    const ourCurve: GanScore[] = [];
    const started = performance.now();
    // time spent on checkpoints (generating and scoring samples) is not training: both sides leave it out
    let checkpointMs = 0;
    trainGan({
      G,
      D,
      optG,
      optD,
      rng,
      latent: Z,
      batchSize: 64,
      steps: o.iters,
      data: {
        count: train.shape[0],
        batch: (idx) => tf.tidy(() => tf.gather(train, tf.tensor1d(idx, 'int32'))),
      },
      onStep: (e) => {
        const step = e.step + 1;
        if (step % 100 === 0) log(o, `gan-quality: ours step ${step}/${o.iters}`);
        if (step % every === 0) {
          const t0 = performance.now();
          const x = generate(G, 10000, seed + 1);
          ourCurve.push({ step, ...score(ev, realFeatures, x) });
          x.dispose();
          checkpointMs += performance.now() - t0;
          const p = ourCurve.at(-1)!;
          log(o, `gan-quality: ours step ${step}  FD ${p.fd.toFixed(3)}  spread ${p.spread.toFixed(3)}`);
        }
      },
    });
    const msPerIter = (performance.now() - started - checkpointMs) / o.iters;
    const fake = generate(G, 10000, seed + 2);
    const ours = score(ev, realFeatures, fake);
    fake.dispose();
    for (const m of [G, D, optG, optD]) m.dispose();
    log(o, 'gan-quality: ring');
    const ring = ringModes(seed);
    log(o, 'gan-quality: waiting for the peer');
    const peer = peerRun ? await peerRun : null;
    let peerScore: ReturnType<typeof score> | null = null;
    const peerCurve: GanScore[] = [];
    if (peer) {
      const x = npyImages(peer.samples);
      peerScore = score(ev, realFeatures, x);
      x.dispose();
      for (const { step, file } of peer.checkpoints) {
        const xs = npyImages(file);
        peerCurve.push({ step, ...score(ev, realFeatures, xs) });
        xs.dispose();
      }
    }
    const points = (c: GanScore[]) =>
      c.map((p) => ({ step: p.step, fd: r(p.fd), kid: r(p.kid, 5), spread: r(p.spread) }));
    return {
      seed,
      ours_fd: r(ours.fd),
      peer_fd: r(peerScore?.fd),
      ours_kid: r(ours.kid, 5),
      peer_kid: r(peerScore?.kid, 5),
      ours_spread: r(ours.spread),
      peer_spread: r(peerScore?.spread),
      ours_collapsed: isCollapsed(ours.spread),
      peer_collapsed: isCollapsed(peerScore?.spread),
      ring_modes: ring.modes,
      ring_high_quality: r(ring.highQuality),
      ours_ms_per_iter: r(msPerIter, 0),
      peer_ms_per_iter: r(peer?.ms_per_iter, 0),
      ours_checkpoint_s: r(checkpointMs / 1000, 1),
      peer_checkpoint_s: r(peer?.checkpoint_seconds, 1),
      checkpoints: points(ourCurve),
      peer_checkpoints: points(peerCurve),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function ganQuality(
  o: QualityOptions & { checkpoints: number },
): Promise<Record<string, unknown>> {
  if (o.plot) checkPlotPath(o.plot);
  const runs = await overSeeds(o, (q, seed) => ganQualityRun(o, q, seed));
  return ganQualityLine(o.iters, runs, plotFdCurves('gan-quality', seedCurves(runs), o));
}

type Curve = { step: number; w: number; fd: number; spread: number }[];

/** One seed of wgan-quality: both sides train WGAN-GP; FD at checkpoints against the critic's W estimate. */
async function wganQualityRun(
  o: QualityOptions & { width: number; checkpoints: number },
  q: QualityData,
  seed: number,
): Promise<WganRun> {
  const { ev, realFeatures, train } = q;
  const work = mkdtempSync(join(tmpdir(), 'lab-wgan-quality-'));
  const every = Math.max(1, Math.floor(o.iters / o.checkpoints));
  try {
    const peerRun =
      o.peer && torchInstalled()
        ? startPeer(
            [
              'wgan',
              '--data',
              q.dataDir,
              '--iters',
              String(o.iters),
              '--out',
              work,
              '--width',
              String(o.width),
              '--checkpoints',
              String(o.checkpoints),
              '--seed',
              String(seed),
            ],
            o.iters,
          )
        : null;
    const rng = new Rng(seed);
    const G = dcganGenerator({ rng, width: o.width });
    const D = dcganDiscriminator({ rng, width: o.width, dropout: 0 });
    const optG = new Optimizer(adam(1e-4, { b1: 0, b2: 0.9 }), G.trainableParameters());
    const optD = new Optimizer(adam(1e-4, { b1: 0, b2: 0.9 }), D.trainableParameters());
    const wEstimate: number[] = [];
    const ourCurve: Curve = [];
    const started = performance.now();
    // time spent on checkpoints (generating and scoring samples) is not training: both sides leave it out
    let checkpointMs = 0;
    trainWgan({
      G,
      D,
      optG,
      optD,
      rng,
      latent: Z,
      batchSize: 64,
      steps: o.iters,
      data: {
        count: train.shape[0],
        batch: (idx) => tf.tidy(() => tf.gather(train, tf.tensor1d(idx, 'int32'))),
      },
      onStep: (e) => {
        wEstimate.push(e.metrics.wEstimate!);
        const step = e.step + 1;
        if (step % every === 0) {
          const t0 = performance.now();
          const x = generate(G, 2000, seed + 1);
          const { fd, spread } = score(ev, realFeatures, x);
          x.dispose();
          ourCurve.push({ step, w: mean(wEstimate.slice(-every)), fd, spread });
          checkpointMs += performance.now() - t0;
          log(
            o,
            `wgan-quality: ours step ${step}/${o.iters}  W ${ourCurve.at(-1)!.w.toFixed(3)}  FD ${fd.toFixed(3)}`,
          );
        }
      },
    });
    const trainMs = performance.now() - started - checkpointMs;
    const fake = generate(G, 10000, seed + 2);
    const ours = score(ev, realFeatures, fake);
    fake.dispose();
    for (const m of [G, D, optG, optD]) m.dispose();
    log(o, 'wgan-quality: waiting for the peer');
    const peer = peerRun ? await peerRun : null;
    let peerScore: { fd: number; spread: number } | null = null;
    const peerCurve: Curve = [];
    if (peer) {
      const x = npyImages(peer.samples);
      peerScore = score(ev, realFeatures, x);
      x.dispose();
      for (const { step, file } of peer.checkpoints) {
        const xs = npyImages(file);
        const { fd, spread } = score(ev, realFeatures, xs);
        peerCurve.push({ step, w: mean(peer.w_estimate.slice(step - every, step)), fd, spread });
        xs.dispose();
      }
    }
    const rho = (c: Curve) =>
      c.length >= 3
        ? spearman(
            c.map((p) => p.w),
            c.map((p) => p.fd),
          )
        : null;
    const points = (c: Curve) =>
      c.map((p) => ({ step: p.step, w: r(p.w, 4), fd: r(p.fd), spread: r(p.spread) }));
    return {
      seed,
      ours_fd: r(ours.fd),
      peer_fd: r(peerScore?.fd),
      ours_spread: r(ours.spread),
      peer_spread: r(peerScore?.spread),
      ours_collapsed: isCollapsed(ours.spread),
      peer_collapsed: isCollapsed(peerScore?.spread),
      spearman_rho: r(rho(ourCurve)),
      peer_spearman_rho: r(rho(peerCurve)),
      ours_ms_per_iter: r(trainMs / o.iters, 0),
      peer_ms_per_iter: r(peer?.ms_per_iter, 0),
      ours_checkpoint_s: r(checkpointMs / 1000, 1),
      peer_checkpoint_s: r(peer?.checkpoint_seconds, 1),
      checkpoints: points(ourCurve),
      peer_checkpoints: points(peerCurve),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function wganQuality(
  o: QualityOptions & { width: number; checkpoints: number },
): Promise<Record<string, unknown>> {
  if (o.plot) checkPlotPath(o.plot);
  const runs = await overSeeds(o, (q, seed) => wganQualityRun(o, q, seed));
  return wganQualityLine(o.iters, o.width, runs, plotFdCurves('wgan-quality', seedCurves(runs), o));
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}
