// `lab finetune` through the built CLI: a tiny run writes its files (and its pretrained weights load
// back through --weights); hostile input (weights that do not fit, garbage weights, an unknown layer,
// empty or one-sided data, bad numbers) ends in one clear line on stderr, exit 1 and no output files.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const built = fileURLToPath(new URL('../dist/lab.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lab-finetune-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lab = (...args: string[]) =>
  spawnSync('node', [built, 'finetune', '--quiet', ...args], { encoding: 'utf8', timeout: 600_000 });
const tiny = ['--pretrain-steps', '2', '--steps', '2', '--labels-per-class', '1'];

/** An MNIST-layout directory whose splits hold these labels (blank 28x28 images). */
function idxDir(name: string, labels: number[]): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const n = labels.length;
  const images = Buffer.alloc(16 + n * 784);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(n, 4);
  images.writeUInt32BE(28, 8);
  images.writeUInt32BE(28, 12);
  const lab1 = Buffer.alloc(8 + n);
  lab1.writeUInt32BE(0x801, 0);
  lab1.writeUInt32BE(n, 4);
  labels.forEach((l, i) => {
    lab1[8 + i] = l;
  });
  for (const split of ['train', 't10k']) {
    writeFileSync(join(d, `${split}-images-idx3-ubyte.gz`), gzipSync(images));
    writeFileSync(join(d, `${split}-labels-idx1-ubyte.gz`), gzipSync(lab1));
  }
  return d;
}

/** Exit 1, one line on stderr matching `pattern`, and nothing written to `out`. */
function refused(out: string, args: string[], pattern: RegExp) {
  const r = lab('--out', out, ...args);
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^(lab|error): /);
  expect(r.stderr).toMatch(pattern);
  expect(existsSync(out)).toBe(false);
}

describe.skipIf(!existsSync(built))('lab finetune', () => {
  const out = join(dir, 'run');

  // a tiny budget, but the machine these run on may be shared: generous timeouts
  it('pretrains, cuts, fine-tunes and writes summary.json, curves.png and the weights', {
    timeout: 600_000,
  }, () => {
    const r = lab('--out', out, '--strategy', 'gradual', '--cut-at', 'conv2', ...tiny);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/gradual from 1 labels per class, cut at conv2: \d+\.\d+% on \d+ test images/);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s).toMatchObject({ strategy: 'gradual', cutAt: 'conv2', labelsPerClass: 1, trainExamples: 5 });
    expect(s.testExamples).toBeGreaterThan(900); // the classes 5-9 of the held-out fifth of the embedded split
    expect(s.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(s.testAccuracy).toBeLessThanOrEqual(1);
    expect(s.pretrainAccuracy).toBeGreaterThan(0);
    expect(s.epochLoss).toHaveLength(s.epochs);
    const png = readFileSync(join(out, 'curves.png'));
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    expect(readdirSync(out).sort()).toEqual([
      'curves.png',
      'model.safetensors',
      'pretrained.safetensors',
      'summary.json',
    ]); // no temporary files left
  });

  it('loads the pretrained weights back with --weights and probes them', { timeout: 600_000 }, () => {
    const again = join(dir, 'again');
    const weights = join(out, 'pretrained.safetensors');
    const r = lab('--out', again, '--weights', weights, '--strategy', 'probe', ...tiny);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(again, 'summary.json'), 'utf8'));
    expect(s.weights).toBe(weights);
    expect(s.pretrainAccuracy).toBeNull();
    expect(existsSync(join(again, 'pretrained.safetensors'))).toBe(false);
  });

  it('refuses weights that do not fit the convnet, listing the problems', () => {
    const other = join(dir, 'other.safetensors');
    // a lone Dense(3, 3) saved as a bare state dict, in the lab layout
    const header = JSON.stringify({
      weight: { dtype: 'F32', shape: [3, 3], data_offsets: [0, 36] },
      bias: { dtype: 'F32', shape: [3], data_offsets: [36, 48] },
    });
    const h = Buffer.from(header);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(h.length));
    writeFileSync(other, Buffer.concat([len, h, Buffer.alloc(48)]));
    refused(join(dir, 'o1'), ['--weights', other, '--layout', 'lab', ...tiny], /--weights .*do not fit/);
  });

  it('refuses a weights file that is not safetensors, and a missing one', { timeout: 300_000 }, () => {
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'not a safetensors file at all');
    refused(join(dir, 'o2'), ['--weights', junk, ...tiny], /--weights .*junk\.safetensors/);
    refused(join(dir, 'o3'), ['--weights', join(dir, 'nope.safetensors'), ...tiny], /no such file/);
  });

  it('refuses an unknown layer, naming the valid ones', () => {
    refused(
      join(dir, 'o4'),
      ['--cut-at', 'conv3', ...tiny],
      /no layer 'conv3'.*valid layers: conv1, conv2, fc/,
    );
  });

  it('refuses an empty data set and one without the classes to learn', { timeout: 300_000 }, () => {
    refused(join(dir, 'o5'), ['--data', idxDir('empty', []), ...tiny], /holds no image/);
    refused(
      join(dir, 'o6'),
      ['--data', idxDir('only-a', [0, 1, 2, 3, 4, 0]), ...tiny],
      /class 5 has 0 images/,
    );
    refused(
      join(dir, 'o7'),
      ['--labels-per-class', '5000', '--backend', 'cpu'],
      /fewer than --labels-per-class 5000/,
    );
  });

  it.each([
    [['--labels-per-class', '0'], '--labels-per-class'],
    [['--steps', 'abc'], '--steps'],
    [['--lr', '-1'], '--lr'],
    [['--epochs', '2', '--steps', '3'], /--epochs or --steps/],
    [['--strategy', 'lora'], '--strategy'],
  ] as const)('refuses bad numbers and choices: %j', (args, what) => {
    refused(join(dir, 'o8'), [...args], typeof what === 'string' ? new RegExp(what) : what);
  });
});
