// `gan-parity`: does our DCGAN training compute what PyTorch computes? The peer
// (peers/parity_peer.py) draws initial weights, real-batch indices, noise and the discriminator's dropout
// masks, and trains the W1 nets in float32 and in float64. We load the same start, train on the same
// batches and noise with ganStep, our Dropout layers replaced by the peer's masks (so that both sides
// compute one function), and compare both float32 runs with the float64 one after each reported step:
// our deviation should be of the size of PyTorch's own float32 rounding.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  adam,
  BatchNorm,
  Conv2d,
  ConvTranspose2d,
  Dense,
  Dropout,
  Lambda,
  type Module,
  Optimizer,
  Sequential,
} from '@lab/core';
import { loadMnistSplit } from '@lab/core/node';
import { findSharedData } from '@lab/core/testing';
import {
  dcganDiscriminator,
  dcganGenerator,
  discriminatorLoss,
  ganStep,
  generatorLoss,
  imagesTensor,
} from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import { BATCH, Z } from './flops.js';
import {
  PARITY_PEER,
  parseParityPeer,
  readParityIndices,
  readParityMaskBits,
  readParityNpy,
} from './parity-peer.js';
import { peerEnv } from './peer-env.js';
import { MAX_PEER_OUTPUT, PeerOutputError } from './peer-output.js';

export interface ParityOptions {
  width: number;
  steps: number;
  seed: number;
  /** The discriminator's dropout rate (W1: 0.3); the masks come from the peer. */
  dropout: number;
  /** Steps after which both sides' weights are compared (and `steps` itself). */
  reportAt?: number[];
  quiet?: boolean;
}

/** The steps reported: those of `reportAt` up to `steps`, and `steps`, in order. */
export function reportSteps(steps: number, reportAt: readonly number[] = []): number[] {
  return [...new Set([...reportAt.filter((s) => s >= 1 && s <= steps), steps])].sort((a, b) => a - b);
}

/**
 * The six inverted-dropout masks of one step from the peer's bits (little-endian bit order; each mask
 * NCHW, in the order D uses them), as NHWC tensors of 1 / (1 - rate) or 0.
 */
export function unpackMasks(
  bits: Uint8Array,
  shapes: readonly (readonly [number, number, number, number])[],
  rate: number,
  file: string,
): tf.Tensor[] {
  const total = shapes.reduce((a, [n, c, h, w]) => a + n * c * h * w, 0);
  if (bits.length !== Math.ceil(total / 8))
    throw new PeerOutputError(
      PARITY_PEER,
      file,
      `${bits.length} bytes, expected ${Math.ceil(total / 8)} for ${total} mask bits`,
    );
  const scale = 1 / (1 - rate);
  let at = 0;
  return shapes.map(([n, c, h, w]) => {
    const values = new Float32Array(n * c * h * w);
    for (let i = 0; i < values.length; i++, at++) values[i] = (bits[at >> 3]! >> (at & 7)) & 1 ? scale : 0;
    return tf.tidy(() => tf.transpose(tf.tensor4d(values, [n, c, h, w]), [0, 2, 3, 1]));
  });
}

/**
 * Our state-dict keys, in order, paired with the peer's (torch) names, the shapes the peer's arrays
 * must have, and layout conversions.
 */
function keyMap(net: Sequential, torchNames: string[], width: number) {
  const c = 4 * width; // channels of the generator's first feature map (7 x 7)
  const out: { ours: string; torch: string; torchShape: number[]; convert: (t: tf.Tensor) => tf.Tensor }[] =
    [];
  const perm = (t: tf.Tensor) => tf.transpose(t, [2, 3, 1, 0]); // torch [o|i, i|o, kh, kw] -> ours [kh, kw, ., .]
  const state = net.stateDict();
  const shapeOf = (key: string) => state[key]!.shape;
  // torch's shape of one of our tensors: a dense kernel [in, out] is [out, in] in torch, a conv filter
  // [kh, kw, a, b] is [b, a, kh, kw]; vectors are the same
  const torchShape = (key: string, kind: 'dense' | 'conv' | 'vector') => {
    const s = shapeOf(key);
    if (kind === 'dense') return [s[1]!, s[0]!];
    if (kind === 'conv') return [s[3]!, s[2]!, s[0]!, s[1]!];
    return [...s];
  };
  // a bias is the same vector on both sides
  const biasEntry = (i: number, prefix: string) => ({
    ours: `${i}.bias`,
    torch: `${prefix}.bias`,
    torchShape: torchShape(`${i}.bias`, 'vector'),
    convert: (t: tf.Tensor) => t.clone(),
  });
  let layer = 0;
  net.layers.forEach((m: Module, i) => {
    if (
      !(m instanceof Dense || m instanceof Conv2d || m instanceof ConvTranspose2d || m instanceof BatchNorm)
    )
      return;
    const prefix = torchNames[layer++]!;
    const first = layer === 1;
    if (m instanceof Dense) {
      if (first) {
        // generator input layer: torch's output feature c * 49 + p is our feature p * c + ch (NHWC)
        out.push({
          ours: `${i}.weight`,
          torch: `${prefix}.weight`,
          torchShape: torchShape(`${i}.weight`, 'dense'),
          convert: (t) =>
            tf.reshape(tf.transpose(tf.reshape(tf.transpose(t), [-1, c, 49]), [0, 2, 1]), [-1, 49 * c]),
        });
      } else {
        // discriminator output layer: torch flattens [2w, 7, 7], we flatten [7, 7, 2w]
        const k = 2 * width;
        out.push({
          ours: `${i}.weight`,
          torch: `${prefix}.weight`,
          torchShape: torchShape(`${i}.weight`, 'dense'),
          convert: (t) => tf.reshape(tf.transpose(tf.reshape(t, [k, 49])), [49 * k, 1]),
        });
      }
      if (m.bias) out.push(biasEntry(i, prefix));
    } else if (m instanceof BatchNorm) {
      const vec =
        m.features === 49 * c
          ? (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [c, 49])), [-1])
          : (t: tf.Tensor) => t.clone();
      for (const [o, t] of [
        ['weight', 'weight'],
        ['bias', 'bias'],
        ['runningMean', 'running_mean'],
        ['runningVar', 'running_var'],
      ] as const)
        out.push({
          ours: `${i}.${o}`,
          torch: `${prefix}.${t}`,
          torchShape: torchShape(`${i}.${o}`, 'vector'),
          convert: vec,
        });
    } else {
      out.push({
        ours: `${i}.weight`,
        torch: `${prefix}.weight`,
        torchShape: torchShape(`${i}.weight`, 'conv'),
        convert: perm,
      });
      if (m.bias) out.push(biasEntry(i, prefix));
    }
  });
  return out;
}

export async function ganParity(o: ParityOptions): Promise<Record<string, unknown>[]> {
  const python = '/usr/bin/python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'parity_peer.py');
  if (!existsSync(python)) return [{ workload: 'gan-parity', error: 'python3-torch is not installed' }];
  if (!(o.dropout >= 0 && o.dropout < 1))
    throw new RangeError(`gan-parity: dropout must be in [0, 1), got ${o.dropout}`);
  const dataDir = join(findSharedData(), 'fashion-mnist');
  const work = mkdtempSync(join(tmpdir(), 'lab-gan-parity-'));
  try {
    if (!o.quiet) process.stderr.write('gan-parity: the PyTorch runs (float32 and float64)\n');
    const env = peerEnv(1);
    const args = [
      script,
      '--data',
      dataDir,
      '--out',
      work,
      '--width',
      String(o.width),
      '--steps',
      String(o.steps),
      '--dropout',
      String(o.dropout),
      '--report',
      reportSteps(o.steps, o.reportAt).join(','),
    ];
    const r = spawnSync(python, [...args, '--seed', String(o.seed)], {
      encoding: 'utf8',
      env,
      maxBuffer: MAX_PEER_OUTPUT,
    });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOBUFS')
      throw new PeerOutputError(PARITY_PEER, undefined, `printed more than ${MAX_PEER_OUTPUT} bytes`);
    if (r.status !== 0)
      throw new Error(`parity peer failed: ${r.error ? r.error.message : (r.stderr ?? '').slice(-2000)}`);
    const peer = parseParityPeer(r.stdout, o.steps);
    const npy = (name: string, shape: readonly number[]) => {
      const { data } = readParityNpy(work, name, shape);
      return tf.tensor(data, [...shape]);
    };
    const G = dcganGenerator({ width: o.width });
    // our W1 discriminator with its Dropout layers replaced by the peer's masks, in the order drawn
    const masks: tf.Tensor[] = [];
    const handedOver = new Lambda('dropout', (x) => {
      const m = masks.shift();
      if (!m) throw new Error('gan-parity: more dropout layers run than the peer drew masks for');
      return tf.mul(x, m);
    });
    const D = new Sequential(
      dcganDiscriminator({ width: o.width, dropout: o.dropout }).layers.map((m) =>
        m instanceof Dropout ? handedOver : m,
      ),
      'discriminator',
    );
    const w = o.width;
    const maskShapes = [
      [BATCH, w, 14, 14],
      [BATCH, 2 * w, 7, 7],
    ] as const;
    const maps = {
      g: keyMap(G, ['fc', 'bn0', 'c1', 'bn1', 'c2', 'bn2', 'c3'], o.width),
      d: keyMap(D, ['c1', 'c2', 'fc'], o.width),
    };
    const load = (prefix: string, net: 'g' | 'd') =>
      Object.fromEntries(
        maps[net].map((m) => [
          m.ours,
          tf.tidy(() => m.convert(npy(`${prefix}.${net}.${m.torch}`, m.torchShape))),
        ]),
      );
    const init = { g: load('init', 'g'), d: load('init', 'd') };
    G.loadStateDict(init.g);
    D.loadStateDict(init.d);
    const optG = new Optimizer(adam(2e-4, { b1: 0.5, b2: 0.999 }), G.trainableParameters());
    const optD = new Optimizer(adam(2e-4, { b1: 0.5, b2: 0.999 }), D.trainableParameters());
    const train = tf.tidy(() => tf.sub(tf.mul(imagesTensor(loadMnistSplit(dataDir, 'train')), 2), 1));
    const indices = readParityIndices(work, o.steps, BATCH, train.shape[0]!);
    const idx = tf.tensor(indices.data, indices.shape);
    const zs = npy('z', [o.steps, BATCH, Z]);
    const ours: number[][] = [];
    const report = reportSteps(o.steps, o.reportAt);
    const lines: Record<string, unknown>[] = [];
    const compare = (steps: number): Record<string, unknown> => {
      const exact = { g: load(`final64.${steps}`, 'g'), d: load(`final64.${steps}`, 'd') };
      const torch32 = { g: load(`final32.${steps}`, 'g'), d: load(`final32.${steps}`, 'd') };
      // relative error of the update: ||w - w64|| / ||w64 - w0||, per tensor and over all weights
      let oursSq = 0;
      let torchSq = 0;
      let moveSq = 0;
      let worst = { name: '', ours: 0, torch32: 0 };
      for (const [net, module] of [
        ['g', G],
        ['d', D],
      ] as const) {
        const state = module.stateDict();
        for (const m of maps[net]) {
          if (/running/.test(m.ours)) continue;
          const sq = (a: tf.Tensor, b: tf.Tensor) =>
            tf.tidy(() => tf.sum(tf.square(tf.sub(a, b))).dataSync()[0]!);
          const e = exact[net][m.ours]!;
          const move = sq(e, init[net][m.ours]!);
          const a = sq(state[m.ours]!, e);
          const b = sq(torch32[net][m.ours]!, e);
          oursSq += a;
          torchSq += b;
          moveSq += move;
          const ratio = Math.sqrt(a / move);
          if (ratio > worst.ours)
            worst = { name: `${net}.${m.torch}`, ours: ratio, torch32: Math.sqrt(b / move) };
        }
      }
      const lossDiff = (x: number[][]) =>
        Math.max(
          ...x.slice(0, steps).flatMap((row, i) => row.map((v, j) => Math.abs(v - peer.losses64[i]![j]!))),
        );
      const round = (x: number) => Number(x.toPrecision(3));
      for (const d of [exact.g, exact.d, torch32.g, torch32.d]) tf.dispose(Object.values(d));
      return {
        workload: 'gan-parity',
        seed: o.seed,
        steps,
        width: o.width,
        dropout: o.dropout,
        ours_loss_max_diff: round(lossDiff(ours)),
        torch32_loss_max_diff: round(lossDiff(peer.losses32)),
        ours_update_rel_err: round(Math.sqrt(oursSq / moveSq)),
        torch32_update_rel_err: round(Math.sqrt(torchSq / moveSq)),
        worst_tensor: { name: worst.name, ours: round(worst.ours), torch32: round(worst.torch32) },
        reference: 'PyTorch float64 from the same weights, batches, noise and dropout masks',
      };
    };
    if (!o.quiet) process.stderr.write(`gan-parity: our run (${o.steps} steps)\n`);
    for (let it = 0; it < o.steps; it++) {
      if (o.dropout > 0) {
        const { file, bits } = readParityMaskBits(work, it);
        masks.push(...unpackMasks(bits, [...maskShapes, ...maskShapes, ...maskShapes], o.dropout, file));
      }
      const real = tf.tidy(() =>
        tf.gather(train, tf.cast(tf.reshape(tf.slice(idx, [it, 0], [1, -1]), [-1]), 'int32')),
      );
      const z = tf.tidy(() => tf.reshape(tf.slice(zs, [it, 0, 0], [1, -1, -1]), [-1, zs.shape[2]!]));
      const s = ganStep({
        G,
        D,
        optG,
        optD,
        real,
        z,
        discriminatorLoss: (a, b) => discriminatorLoss(a, b),
        generatorLoss: (f) => generatorLoss(f),
      });
      ours.push([s.dLoss, s.gLoss]);
      tf.dispose([real, z]);
      if (masks.length > 0) throw new Error(`gan-parity: step ${it}: ${masks.length} dropout masks unused`);
      if (report.includes(it + 1)) lines.push(compare(it + 1));
    }
    for (const t of [idx, zs, train]) t.dispose();
    for (const d of [init.g, init.d]) tf.dispose(Object.values(d));
    for (const m of [G, D, optG, optD]) m.dispose();
    return lines;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
