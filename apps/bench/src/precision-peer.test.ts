// The precision peer's line and files are hostile input: every malformed field or file gives a
// PeerOutputError naming it (never a TypeError), and the input shapes we expect are those our side of
// the bench computes with.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { caughtPeerError, npyBytes, writeNpy } from './peer-output-fixture.js';
import { type OpSpec, precisionInputShapes, precisionOps } from './precision-ops.js';
import { runOurs } from './precision-ours.js';
import {
  type PeerResult,
  parsePrecisionPeer,
  peerResultsOf,
  readPrecisionInputs,
  readPrecisionReference,
} from './precision-peer.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const caught = caughtPeerError;

const ops = precisionOps();
const result = (over: Record<string, unknown> = {}) => ({
  index: 0,
  op: ops[0]!.op,
  pass: 'forward',
  rel_err: 1e-7,
  max_abs: 2e-6,
  ...over,
});
const line = (o: Record<string, unknown>) => `progress\n${JSON.stringify(o)}\n`;

describe('parsePrecisionPeer', () => {
  it('reads the version and every result of a valid line', () => {
    const r2 = result({ index: 1, op: ops[1]!.op, pass: 'backward.w' });
    const got = parsePrecisionPeer(line({ torch: '2.1.0', results: [result(), r2] }), ops);
    expect(got.torch).toBe('2.1.0');
    expect(got.results).toEqual([result(), r2]);
  });

  it('names the field of each kind of malformed line', () => {
    const bad: [string, string][] = [
      ['', 'precision_peer.py: printed nothing'],
      ['{"torch": "2.1", "results": [', 'its last line is not JSON'],
      // Python's json.dumps writes NaN, which is not JSON
      ['{"torch": "2.1", "results": [{"rel_err": NaN}]}', 'its last line is not JSON'],
      [line({ results: [] }), 'torch: expected a non-empty string, got nothing'],
      [line({ torch: 2.1, results: [] }), 'torch: expected a non-empty string, got 2.1'],
      [line({ torch: '2.1' }), 'results: expected an array, got nothing'],
      [line({ torch: '2.1', results: { 0: result() } }), 'results: expected an array'],
      [line({ torch: '2.1', results: [result(), null] }), 'results[1]: expected a JSON object, got null'],
      [line({ torch: '2.1', results: [[1, 2]] }), 'results[0]: expected a JSON object, got [1,2]'],
      [line({ torch: '2.1', results: [result({ index: '0' })] }), 'results[0].index: expected an integer'],
      [line({ torch: '2.1', results: [result({ index: 0.5 })] }), 'results[0].index: expected an integer'],
      [line({ torch: '2.1', results: [result({ index: ops.length })] }), `in [0, ${ops.length - 1}]`],
      [line({ torch: '2.1', results: [result({ index: -1 })] }), 'results[0].index'],
      [line({ torch: '2.1', results: [result({ op: 'conv X' })] }), "results[0].op: 'conv X' is not op 0"],
      [line({ torch: '2.1', results: [result({ op: 7 })] }), 'results[0].op: expected a non-empty string'],
      [line({ torch: '2.1', results: [result({ pass: '' })] }), 'results[0].pass: expected a non-empty'],
      [line({ torch: '2.1', results: [result({ pass: '../../x' })] }), "'../../x' is not a pass name"],
      [line({ torch: '2.1', results: [result({ pass: 'a/b' })] }), 'results[0].pass'],
      [
        line({ torch: '2.1', results: [result(), result()] }),
        "results[1].pass: op 0's pass 'forward' appears twice",
      ],
      [
        line({ torch: '2.1', results: [result({ rel_err: -1 })] }),
        'results[0].rel_err: expected a finite number >= 0',
      ],
      [line({ torch: '2.1', results: [result({ rel_err: '1e-7' })] }), 'results[0].rel_err'],
      [
        '{"torch": "2.1", "results": [{"index": 0, "op": "conv D.c1", "pass": "forward", "rel_err": 1e400, "max_abs": 0}]}',
        'rel_err: expected a finite number >= 0, got Infinity',
      ],
      [
        line({ torch: '2.1', results: [result({ max_abs: null })] }),
        'results[0].max_abs: expected a finite number',
      ],
      [
        line({ torch: '2.1', results: [{ ...result(), max_abs: undefined }] }),
        'results[0].max_abs: expected a finite number >= 0, got nothing',
      ],
    ];
    for (const [stdout, message] of bad)
      expect(caught(() => parsePrecisionPeer(stdout, ops)).message).toContain(message);
  });

  it('never reads an inherited property as a field', () => {
    const proto =
      '{"torch": "2.1", "results": [{"op": "conv D.c1", "pass": "forward", "rel_err": 0, "max_abs": 0}]}';
    // no own "index": Object.prototype has none either, but "constructor" or "toString" are no fields
    expect(caught(() => parsePrecisionPeer(proto, ops)).message).toContain(
      'results[0].index: expected an integer',
    );
    const e = caught(() => parsePrecisionPeer('{"results": []}', ops));
    expect(e.field).toBe('torch');
  });
});

describe('peerResultsOf', () => {
  const spec = ops[0]!;
  const ours = { forward: new Float32Array(1), 'backward.x': new Float32Array(1) };
  const r = (pass: string): PeerResult => ({ index: 0, op: spec.op, pass, rel_err: 0, max_abs: 0 });

  it("pairs the op's passes, one for one", () => {
    const others = [{ ...r('forward'), index: 1 }];
    expect(peerResultsOf([r('forward'), r('backward.x'), ...others], 0, spec, ours)).toEqual([
      r('forward'),
      r('backward.x'),
    ]);
  });

  it('refuses a pass on one side only, and a prototype name for a pass', () => {
    expect(caught(() => peerResultsOf([r('forward')], 0, spec, ours)).message).toBe(
      "precision_peer.py: results: op 'conv D.c1' has no pass backward.x",
    );
    for (const name of ['backward.b', 'constructor', 'toString', '__proto__'])
      expect(
        caught(() => peerResultsOf([r('forward'), r('backward.x'), r(name)], 0, spec, ours)).message,
      ).toBe(`precision_peer.py: results: op 'conv D.c1': we compute no pass '${name}'`);
  });
});

describe('the peer files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-precision-peer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const spec: OpSpec = { op: 'dense t', kind: 'dense', x: [2, 3], w: [3, 4], bias: true };
  const writeInputs = () => {
    for (const [name, shape] of precisionInputShapes(spec)) writeNpy(join(dir, `5.in.${name}.npy`), shape);
  };

  it('reads exactly the inputs of the op, each of its shape', () => {
    writeInputs();
    writeNpy(join(dir, '6.in.other.npy'), [1]); // another op's input
    const got = readPrecisionInputs(dir, 5, spec);
    expect([...got.keys()]).toEqual(['x', 'w', 'b', 'dy']);
    expect(got.get('dy')!.shape).toEqual([2, 4]);
    expect(got.get('b')!.shape).toEqual([4]);
  });

  it('names the file that is missing, extra, misshapen, truncated, not finite or not a file', () => {
    writeInputs();
    rmSync(join(dir, '5.in.b.npy'));
    expect(caught(() => readPrecisionInputs(dir, 5, spec)).message).toMatch(
      /^precision_peer\.py: 5\.in\.b\.npy: the peer wrote no such file/,
    );
    writeNpy(join(dir, '5.in.b.npy'), [5]);
    expect(caught(() => readPrecisionInputs(dir, 5, spec)).message).toBe(
      'precision_peer.py: 5.in.b.npy: shape [5], expected [4]',
    );
    writeNpy(join(dir, '5.in.b.npy'), [4], [1, Number.NaN, 2, 3]);
    expect(caught(() => readPrecisionInputs(dir, 5, spec)).field).toBe('5.in.b.npy');
    writeFileSync(join(dir, '5.in.b.npy'), npyBytes([4]).subarray(0, 70));
    expect(caught(() => readPrecisionInputs(dir, 5, spec)).message).toMatch(
      /^precision_peer\.py: 5\.in\.b\.npy: /,
    );
    writeFileSync(join(dir, '5.in.b.npy'), 'not numpy');
    expect(caught(() => readPrecisionInputs(dir, 5, spec)).message).toContain('5.in.b.npy: not an .npy file');
    rmSync(join(dir, '5.in.b.npy'));
    mkdirSync(join(dir, '5.in.b.npy'));
    expect(caught(() => readPrecisionInputs(dir, 5, spec)).message).toBe(
      'precision_peer.py: 5.in.b.npy: is not a regular file',
    );
    rmSync(join(dir, '5.in.b.npy'), { recursive: true });
    writeInputs();
    for (const name of ['__proto__', 'constructor', 'extra']) {
      writeNpy(join(dir, `5.in.${name}.npy`), [1]);
      expect(caught(() => readPrecisionInputs(dir, 5, spec)).message).toBe(
        `precision_peer.py: 5.in.${name}.npy: op 'dense t' takes no input of that name`,
      );
      rmSync(join(dir, `5.in.${name}.npy`));
    }
  });

  it('reads a reference as long as our result, its remainder of the same shape', () => {
    writeNpy(join(dir, '2.ref.forward.hi.npy'), [2, 2], [1, 2, 3, 4]);
    writeNpy(join(dir, '2.ref.forward.lo.npy'), [2, 2], [0, 1e-9, 0, 0]);
    const { hi, lo } = readPrecisionReference(dir, 2, 'forward', 4);
    expect(Array.from(hi)).toEqual([1, 2, 3, 4]);
    expect(lo[1]).toBeCloseTo(1e-9, 15);
    expect(caught(() => readPrecisionReference(dir, 2, 'forward', 5)).message).toBe(
      'precision_peer.py: 2.ref.forward.hi.npy: 4 values, our result has 5',
    );
    writeNpy(join(dir, '2.ref.forward.lo.npy'), [4]);
    expect(caught(() => readPrecisionReference(dir, 2, 'forward', 4)).message).toBe(
      'precision_peer.py: 2.ref.forward.lo.npy: shape [4], expected [2, 2]',
    );
    expect(caught(() => readPrecisionReference(dir, 3, 'forward', 4)).field).toBe('3.ref.forward.hi.npy');
  });
});

describe('precisionInputShapes', () => {
  // small ops of every kind: our side computes every pass from inputs of exactly these shapes
  const small: OpSpec[] = [
    { op: 'conv', kind: 'conv', x: [2, 6, 6, 1], w: [5, 5, 1, 3], stride: 2, pad: 2, bias: true },
    { op: 'convT', kind: 'convTranspose', x: [2, 3, 3, 4], w: [5, 5, 2, 4], stride: 2, pad: 2, outPad: 1 },
    { op: 'dense', kind: 'dense', x: [2, 3], w: [3, 4], bias: false },
    { op: 'bn2d', kind: 'batchNorm', x: [4, 2, 2, 3], momentum: 0.1, eps: 1e-5 },
    { op: 'bn1d', kind: 'batchNorm', x: [4, 5], momentum: 0.1, eps: 1e-5 },
    { op: 'lrelu', kind: 'leakyRelu', x: [2, 3], alpha: 0.2 },
    { op: 'drop', kind: 'dropout', x: [2, 3], rate: 0.3 },
    { op: 'bce', kind: 'bce', logits: [4, 1] },
    { op: 'w', kind: 'wasserstein', logits: [4, 1] },
    { op: 'gp', kind: 'gradientPenalty', images: [2, 28, 28, 1], width: 2, lambda: 10 },
    { op: 'adam', kind: 'adam', param: [3, 2], lr: 1e-3, b1: 0.5, b2: 0.999, eps: 1e-8, steps: 2 },
  ];

  it('gives the inputs our side of every kind of op computes from', () => {
    for (const spec of small) {
      const inputs = Object.fromEntries(
        [...precisionInputShapes(spec)].map(([name, shape]) => [name, tf.randomUniform(shape, 0.1, 1)]),
      );
      const before = tf.memory().numTensors;
      const ours = runOurs(spec, inputs);
      expect(tf.memory().numTensors).toBe(before);
      for (const [pass, values] of Object.entries(ours)) {
        expect(values.length, `${spec.op} ${pass}`).toBeGreaterThan(0);
        expect(values.every(Number.isFinite), `${spec.op} ${pass}`).toBe(true);
      }
      tf.dispose(Object.values(inputs));
    }
  });

  it("matches the peer's formulas on W1's shapes", () => {
    const of = (name: string) => precisionInputShapes(ops.find((o) => o.op === name)!);
    expect(of('conv D.c2').get('dy')).toEqual([64, 7, 7, 128]);
    expect(of('convT G.c3').get('dy')).toEqual([64, 28, 28, 1]);
    expect(of('dense G.fc').has('b')).toBe(false);
    expect(of('dense D.fc').get('b')).toEqual([1]);
    expect(of('gradientPenalty D').get('5.weight')).toEqual([6272, 1]);
    expect(of('adam W2').get('grads')).toEqual([5, 100, 12544]);
  });
});
