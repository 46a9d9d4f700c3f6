// A PyTorch-written state_dict (test/fixtures/make_torch_fixture.py, Debian python3-torch) loads into
// the equivalent @lab net and gives the same outputs, in eval and train mode, on cpu and wasm.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchNorm,
  Conv2d,
  ConvTranspose2d,
  Dense,
  decodeTensor,
  Flatten,
  parseSafetensors,
  ReLU,
  Reshape,
  Sequential,
} from '@lab/core';
import { expectClose, onBackends } from '@lab/core/testing';
import { memory, tensor, tensor4d, tidy, transpose } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadSafetensors } from '../src/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const PYTHON = '/usr/bin/python3';

/** Our twin of make_torch_fixture.py's convnet. */
const convnet = () =>
  new Sequential([
    new Conv2d(3, 4, 3, { padding: 1 }),
    new BatchNorm(4),
    ReLU(),
    new Conv2d(4, 6, 3, { stride: 2, padding: 1 }),
    ReLU(),
    Flatten(),
    new Dense(6 * 4 * 4, 5),
  ]);

const nhwc = (t: { data: Float32Array; shape: number[] }) =>
  tidy(() => transpose(tensor4d(t.data, t.shape as [number, number, number, number]), [0, 2, 3, 1]));

/** Our twin of make_torch_fixture.py's decoder (nn.Unflatten(1, (3, 2, 2)) is our Reshape([2, 2, 3])). */
const decoder = () =>
  new Sequential([
    new Dense(5, 12),
    Reshape([2, 2, 3]),
    new ConvTranspose2d(3, 4, 4, { stride: 2, padding: 1 }),
    ReLU(),
    new ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }),
  ]);

/** The decoder's output for the fixture's input, as NCHW values like torch's. */
function decode(weights: Uint8Array, ioBytes: Uint8Array, unflatten: boolean) {
  const { tensors } = parseSafetensors(ioBytes);
  const input = decodeTensor(tensors.input!).data as Float32Array;
  const net = decoder().eval();
  const report = loadSafetensors(net, weights, unflatten ? { unflattenedTo: { '0': [3, 2, 2] } } : {});
  const y = tidy(() => transpose(net.forward(tensor(input, [2, 5])), [0, 3, 1, 2]));
  const out = {
    report,
    got: y.dataSync().slice(),
    expected: decodeTensor(tensors.output!).data as Float32Array,
  };
  y.dispose();
  net.dispose();
  return out;
}

function readIo(bytes: Uint8Array) {
  const { tensors } = parseSafetensors(bytes);
  const get = (k: string) => ({
    data: decodeTensor(tensors[k]!).data as Float32Array,
    shape: tensors[k]!.shape,
  });
  return {
    input: get('input'),
    evalOutput: get('eval_output'),
    trainOutput: get('train_output'),
    runningMean: get('running_mean_after'),
    runningVar: get('running_var_after'),
  };
}

/** Loads the state dict, runs the fixed input in eval then train mode, returns plain arrays. */
function runOurs(weights: Uint8Array, io: ReturnType<typeof readIo>) {
  const net = convnet();
  const report = loadSafetensors(net, weights, { flattenedFrom: { '6': [6, 4, 4] } });
  const before = memory().numTensors;
  const x = nhwc(io.input); // NCHW -> NHWC
  net.eval();
  const evalOut = net.forward(x);
  net.train();
  const trainOut = net.forward(x);
  const bn = net.layers[1] as BatchNorm;
  const out = {
    report,
    evalOut: evalOut.dataSync().slice(),
    trainOut: trainOut.dataSync().slice(),
    runningMean: bn.runningMean.dataSync().slice(),
    runningVar: bn.runningVar.dataSync().slice(),
  };
  x.dispose();
  evalOut.dispose();
  trainOut.dispose();
  const leaked = memory().numTensors - before;
  net.dispose();
  return { ...out, leaked };
}

function expectSameAsTorch(weights: Uint8Array, ioBytes: Uint8Array) {
  const io = readIo(ioBytes);
  return onBackends(['cpu', 'wasm'], () => {
    const ours = runOurs(weights, io);
    expect(ours.leaked).toBe(0);
    expect(ours.report.missing).toEqual([]);
    expect(ours.report.unexpected).toEqual([]);
    expect(ours.report.shapeMismatches).toEqual([]);
    expect(ours.report.ignored).toEqual(['1.num_batches_tracked']);
    expect(ours.report.matched).toContainEqual({ source: '1.running_mean', target: '1.runningMean' });
    expect(ours.report.matched).toHaveLength(10);
    expectClose(ours.evalOut, io.evalOutput.data, 1e-5, 'eval output');
    expectClose(ours.trainOut, io.trainOutput.data, 1e-5, 'train output');
    expectClose(ours.runningMean, io.runningMean.data, 1e-5, 'running mean after a train step');
    expectClose(ours.runningVar, io.runningVar.data, 1e-5, 'running var after a train step');
    return ours.evalOut;
  });
}

const torchAvailable = spawnSync(PYTHON, ['-c', 'import torch'], { timeout: 60_000 }).status === 0;

describe('PyTorch state_dict in safetensors', () => {
  it('the committed fixture loads with layouts converted and gives torch outputs (eval, train, running stats) to 1e-5', async () => {
    const weights = readFileSync(join(fixtures, 'torch_convnet.safetensors'));
    const io = readFileSync(join(fixtures, 'torch_convnet_io.safetensors'));
    const byBackend = await expectSameAsTorch(weights, io);
    expect(byBackend.cpu.length).toBe(10);
  });

  it('without the NCHW flatten reordering the outputs differ (the conversion matters)', () => {
    const weights = readFileSync(join(fixtures, 'torch_convnet.safetensors'));
    const io = readIo(readFileSync(join(fixtures, 'torch_convnet_io.safetensors')));
    const net = convnet().eval();
    loadSafetensors(net, weights);
    const x = nhwc(io.input);
    const y = net.forward(x);
    const got = y.dataSync();
    expect(() => expectClose(got, io.evalOutput.data, 1e-3)).toThrow(/exceeds/);
    x.dispose();
    y.dispose();
    net.dispose();
  });

  it('a linear -> unflatten -> transposed-conv decoder matches torch once its output columns are reordered', async () => {
    const weights = readFileSync(join(fixtures, 'torch_deconv.safetensors'));
    const io = readFileSync(join(fixtures, 'torch_deconv_io.safetensors'));
    await onBackends(['cpu', 'wasm'], () => {
      const ok = decode(weights, io, true);
      expect(ok.report.matched).toHaveLength(6);
      expectClose(ok.got, ok.expected, 1e-5, 'decoder output');
      const unordered = decode(weights, io, false);
      expect(() => expectClose(unordered.got, unordered.expected, 1e-3)).toThrow(/exceeds/);
    });
  });

  it.runIf(torchAvailable)('a fixture made afresh by python3-torch gives the same outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-torch-'));
    try {
      const r = spawnSync(PYTHON, [join(fixtures, 'make_torch_fixture.py'), dir], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, r.stderr).toBe(0);
      await expectSameAsTorch(
        readFileSync(join(dir, 'torch_convnet.safetensors')),
        readFileSync(join(dir, 'torch_convnet_io.safetensors')),
      );
      const fresh = decode(
        readFileSync(join(dir, 'torch_deconv.safetensors')),
        readFileSync(join(dir, 'torch_deconv_io.safetensors')),
        true,
      );
      expectClose(fresh.got, fresh.expected, 1e-5, 'fresh decoder output');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it.skipIf(torchAvailable)('(skipped: /usr/bin/python3 cannot import torch, so no fresh fixture)', () => {});
});
