// Our side of the precision bench: each op of precision-ops.ts through @lab's modules, losses and
// optimizer on the active backend, from the inputs the peer drew. Backward passes are vector-Jacobian
// products with the handed-over output gradient dy (the gradient of sum(y * dy)).
import {
  adam,
  BatchNorm,
  Conv2d,
  ConvTranspose2d,
  Dense,
  LeakyReLU,
  type Module,
  Optimizer,
  valueAndGrads,
} from '@lab/core';
import { dcganDiscriminator, discriminatorLoss, generatorLoss } from '@lab/gan';
import { criticLoss, gradientPenalty, wganGeneratorLoss } from '@lab/wgan';
import * as tf from '@tensorflow/tfjs-core';
import type { OpSpec } from './precision-ops.js';

export type OpInputs = Record<string, tf.Tensor>;
export type OpResults = Record<string, Float32Array | Float64Array>;

function need(inputs: OpInputs, name: string, op: string): tf.Tensor {
  const t = inputs[name];
  if (!t) throw new Error(`precision: op '${op}' has no input '${name}' from the peer`);
  return t;
}

const values = (t: tf.Tensor) => t.dataSync() as Float32Array;

/** Gradients of sum(f() * dy) with respect to `vars`, keyed by pass name. */
function vjp(f: () => tf.Tensor, dy: tf.Tensor, vars: Record<string, tf.Variable | undefined>): OpResults {
  const named = Object.entries(vars).filter((e): e is [string, tf.Variable] => e[1] !== undefined);
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(f(), dy)) as tf.Scalar,
    named.map(([, v]) => v),
  );
  const out: OpResults = {};
  for (const [pass, v] of named) out[pass] = values(grads[v.name]!);
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/** Forward output and the vjp of a module (or function) of one input x. */
function forwardBackward(
  f: (x: tf.Tensor) => tf.Tensor,
  inputs: OpInputs,
  op: string,
  params: Record<string, tf.Variable | undefined>,
): OpResults {
  const x = need(inputs, 'x', op);
  const y = f(x);
  const forward = values(y);
  y.dispose();
  const xv = tf.variable(x, true);
  try {
    return { forward, ...vjp(() => f(xv), need(inputs, 'dy', op), { 'backward.x': xv, ...params }) };
  } finally {
    xv.dispose();
  }
}

function withModule<M extends Module>(m: M, run: (m: M) => OpResults): OpResults {
  try {
    return run(m);
  } finally {
    m.dispose();
  }
}

function lossPasses(
  spec: OpSpec,
  inputs: OpInputs,
  d: (real: tf.Tensor, fake: tf.Tensor) => tf.Tensor,
  g: (fake: tf.Tensor) => tf.Tensor,
): OpResults {
  const real = need(inputs, 'real', spec.op);
  const fake = need(inputs, 'fake', spec.op);
  const out: OpResults = {};
  const [ld, lg] = [d(real, fake), g(fake)];
  out['forward.d'] = values(ld);
  out['forward.g'] = values(lg);
  const [dReal, dFake] = tf.grads((r: tf.Tensor, f: tf.Tensor) => d(r, f))([real, fake]);
  const gFake = tf.grad((f: tf.Tensor) => g(f))(fake);
  out['backward.d.real'] = values(dReal!);
  out['backward.d.fake'] = values(dFake!);
  out['backward.g.fake'] = values(gFake);
  tf.dispose([ld, lg, dReal!, dFake!, gFake]);
  return out;
}

function adamPasses(spec: Extract<OpSpec, { kind: 'adam' }>, inputs: OpInputs): OpResults {
  const p0 = need(inputs, 'param', spec.op);
  const grads = need(inputs, 'grads', spec.op);
  const param = tf.variable(p0, true);
  const opt = new Optimizer(adam(spec.lr, { b1: spec.b1, b2: spec.b2, eps: spec.eps }), { param });
  try {
    for (let t = 0; t < spec.steps; t++) {
      const g = tf.tidy(() => tf.reshape(tf.slice(grads, [t], [1]), p0.shape));
      opt.step({ param: g });
      g.dispose();
    }
    // the update, taken in float64 from the float32 values (no rounding of its own)
    const start = values(p0);
    const end = values(param);
    return { update: Float64Array.from(end, (v, i) => v - start[i]!) };
  } finally {
    opt.dispose();
    param.dispose();
  }
}

/** Every pass of `spec` computed by @lab from `inputs` (our layouts). */
export function runOurs(spec: OpSpec, inputs: OpInputs): OpResults {
  const get = (name: string) => need(inputs, name, spec.op);
  switch (spec.kind) {
    case 'conv': {
      const [k, , cin, cout] = spec.w as [number, number, number, number];
      const conv = new Conv2d(cin, cout, k, { stride: spec.stride, padding: spec.pad, bias: spec.bias });
      return withModule(conv, (m) => {
        m.weight.assign(get('w'));
        if (m.bias) m.bias.assign(get('b'));
        return forwardBackward((x) => m.forward(x), inputs, spec.op, {
          'backward.w': m.weight,
          'backward.b': m.bias,
        });
      });
    }
    case 'convTranspose': {
      const [k, , cout, cin] = spec.w as [number, number, number, number];
      const options = { stride: spec.stride, padding: spec.pad, outputPadding: spec.outPad, bias: false };
      return withModule(new ConvTranspose2d(cin, cout, k, options), (m) => {
        m.weight.assign(get('w'));
        return forwardBackward((x) => m.forward(x), inputs, spec.op, { 'backward.w': m.weight });
      });
    }
    case 'dense':
      return withModule(new Dense(spec.w[0]!, spec.w[1]!, { bias: spec.bias }), (m) => {
        m.weight.assign(get('w'));
        if (m.bias) m.bias.assign(get('b'));
        return forwardBackward((x) => m.forward(x), inputs, spec.op, {
          'backward.w': m.weight,
          'backward.b': m.bias,
        });
      });
    case 'batchNorm': {
      const bn = new BatchNorm(spec.x[spec.x.length - 1]!, { momentum: spec.momentum, eps: spec.eps });
      return withModule(bn, (m) => {
        m.gamma.assign(get('gamma'));
        m.beta.assign(get('beta'));
        m.runningMean.assign(get('runningMean'));
        m.runningVar.assign(get('runningVar'));
        const y = m.forward(get('x'));
        const out: OpResults = {
          forward: values(y),
          'running.mean': values(m.runningMean).slice(),
          'running.var': values(m.runningVar).slice(),
        };
        y.dispose();
        const back = forwardBackward((x) => m.forward(x), inputs, spec.op, {
          'backward.gamma': m.gamma,
          'backward.beta': m.beta,
        });
        return { ...back, ...out };
      });
    }
    case 'leakyRelu':
      return withModule(LeakyReLU(spec.alpha), (m) =>
        forwardBackward((x) => m.forward(x), inputs, spec.op, {}),
      );
    case 'dropout': {
      // our Dropout's mask: 1 / (1 - rate) stored as float32, or 0 (here from the peer's draw)
      const scale = 1 / (1 - spec.rate);
      const keep = values(get('keep'));
      const mask = tf.tensor(
        Float32Array.from(keep, (k) => (k ? scale : 0)),
        get('keep').shape,
      );
      try {
        return forwardBackward((x) => tf.mul(x, mask), inputs, spec.op, {});
      } finally {
        mask.dispose();
      }
    }
    case 'bce':
      return lossPasses(spec, inputs, discriminatorLoss, (f) => generatorLoss(f));
    case 'wasserstein':
      return lossPasses(spec, inputs, criticLoss, wganGeneratorLoss);
    case 'gradientPenalty': {
      const D = dcganDiscriminator({ width: spec.width, dropout: 0 });
      return withModule(D, (m) => {
        const state = m.stateDict();
        m.loadStateDict(Object.fromEntries(Object.keys(state).map((k) => [k, get(k)])));
        const critic = (x: tf.Tensor) => m.forward(x);
        const { value, grads } = valueAndGrads(
          () =>
            gradientPenalty(critic, get('real'), get('fake'), {
              lambda: spec.lambda,
              epsilon: get('eps'),
            }) as tf.Scalar,
          m.trainableParameters(),
        );
        const out: OpResults = { forward: values(value) };
        for (const [k, g] of Object.entries(grads)) out[`backward.${k}`] = values(g);
        tf.dispose([value, ...Object.values(grads)]);
        return out;
      });
    }
    case 'adam':
      return adamPasses(spec, inputs);
  }
}
