import { Dense, initBackend, type Module } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CUT_LAYERS, cutWithNewHead, finetuneConvnet } from './finetune-model.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

const names = (layers: readonly Module[]) => layers.map((m) => m.name);

describe('cutWithNewHead', () => {
  it('after conv1 keeps its ReLU and pooling, flattens the 14x14x32 map into a new head', () => {
    const before = tf.memory().numTensors;
    const net = cutWithNewHead(finetuneConvnet(5, 1), 'conv1', 3, 2);
    expect(names(net.layers).slice(0, 1)).toEqual(['conv1']);
    expect(net.layers.length).toBe(5);
    const head = net.layers[4] as Dense;
    expect(head).toBeInstanceOf(Dense);
    expect(head.name).toBe('head');
    expect(head.weight.shape).toEqual([14 * 14 * 32, 3]);
    const x = tf.zeros([2, 28, 28, 1]);
    const y = net.forward(x);
    expect(y.shape).toEqual([2, 3]);
    tf.dispose([x, y]);
    // the layers cut off were disposed: nothing is left once the new net goes
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('after fc keeps every layer up to its ReLU and the new head reads the 128 features', () => {
    const before = tf.memory().numTensors;
    const original = finetuneConvnet(5, 1);
    const upToFc = names(original.layers).slice(0, 9);
    const net = cutWithNewHead(original, 'fc', 7, 2);
    expect(names(net.layers).slice(0, 9)).toEqual(upToFc);
    // the fc features are already flat: the head follows fc's ReLU directly, no Flatten between
    expect(net.layers.length).toBe(10);
    const head = net.layers[net.layers.length - 1] as Dense;
    expect([head.name, head.weight.shape]).toEqual(['head', [128, 7]]);
    const x = tf.zeros([1, 28, 28, 1]);
    const y = net.forward(x);
    expect(y.shape).toEqual([1, 7]);
    tf.dispose([x, y]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the option and the valid layers for any other layer', () => {
    expect(CUT_LAYERS).toEqual(['conv1', 'conv2', 'fc']);
    const net = finetuneConvnet(5, 1);
    expect(() => cutWithNewHead(net, 'head', 3, 0)).toThrow(
      new RangeError("--cut-at: no layer 'head' to cut at; valid layers: conv1, conv2, fc"),
    );
    net.dispose();
  });
});
