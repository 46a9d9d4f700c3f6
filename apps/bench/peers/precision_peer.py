"""PyTorch side of `pnpm bench precision`: each op of W1 and W2, forward and backward, in float32 and
float64 from the same float32 inputs.

Reads the op list (JSON, written by apps/bench/src/precision.ts; shapes in @lab's layouts: NHWC images,
dense kernels [in, out], conv filters [kh, kw, in, out], transposed-conv filters [kh, kw, out, in]),
draws each op's inputs once and writes them as float32 .npy files in --out (`<i>.in.<name>.npy`, in
@lab's layouts), writes each float64 result as two float32 arrays whose sum is the result to about
1e-14 (`<i>.ref.<pass>.hi.npy` and `.lo.npy`, so a float32 .npy reader gets the float64 reference),
and prints one JSON line with the relative error of PyTorch's float32 result against the float64 one
for each op and pass.

Usage: /usr/bin/python3 precision_peer.py --ops ops.json --out DIR [--seed 0]"""
import argparse, json, math, os, sys
import numpy as np
import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--ops', required=True)
p.add_argument('--out', required=True)
p.add_argument('--seed', type=int, default=0)
a = p.parse_args()
torch.set_num_threads(1)
with open(a.ops) as f:
    OPS = json.load(f)
if not isinstance(OPS, list):
    sys.exit(f'{a.ops}: expected a JSON list of ops')
rng = np.random.default_rng(a.seed)


def f32(x):
    return np.ascontiguousarray(x, dtype=np.float32)


def normal(shape, scale=1.0, loc=0.0):
    return f32(rng.normal(loc, scale, size=shape))


def uniform(shape, bound):
    return f32(rng.uniform(-bound, bound, size=shape))


NCHW = (0, 3, 1, 2)  # ours NHWC -> torch NCHW
NHWC = (0, 2, 3, 1)
W_TORCH = (3, 2, 0, 1)  # ours [kh, kw, a, b] -> torch [b, a, kh, kw] (conv and transposed conv)
W_OURS = (2, 3, 1, 0)


def ours(t, perm=None):
    """A torch result in @lab's layout, as float64 numpy."""
    t = t.detach()
    if perm is not None:
        t = t.permute(*perm)
    return t.contiguous().to(torch.float64).numpy()


def run_conv(s, x, dt):
    t = {k: torch.tensor(v, dtype=dt) for k, v in x.items()}
    xi = t['x'].permute(*NCHW).contiguous().requires_grad_()
    w = t['w'].permute(*W_TORCH).contiguous().requires_grad_()
    b = t['b'].requires_grad_() if 'b' in t else None
    y = F.conv2d(xi, w, b, stride=s['stride'], padding=s['pad'])
    dy = t['dy'].permute(*NCHW)
    y.backward(dy)
    out = {'forward': ours(y, NHWC), 'backward.x': ours(xi.grad, NHWC), 'backward.w': ours(w.grad, W_OURS)}
    if b is not None:
        out['backward.b'] = ours(b.grad)
    return out


def run_conv_transpose(s, x, dt):
    t = {k: torch.tensor(v, dtype=dt) for k, v in x.items()}
    xi = t['x'].permute(*NCHW).contiguous().requires_grad_()
    w = t['w'].permute(*W_TORCH).contiguous().requires_grad_()
    y = F.conv_transpose2d(xi, w, None, stride=s['stride'], padding=s['pad'], output_padding=s['outPad'])
    y.backward(t['dy'].permute(*NCHW))
    return {'forward': ours(y, NHWC), 'backward.x': ours(xi.grad, NHWC), 'backward.w': ours(w.grad, W_OURS)}


def run_dense(s, x, dt):
    t = {k: torch.tensor(v, dtype=dt).requires_grad_() for k, v in x.items() if k != 'dy'}
    y = t['x'] @ t['w']
    if 'b' in t:
        y = y + t['b']
    y.backward(torch.tensor(x['dy'], dtype=dt))
    out = {'forward': ours(y), 'backward.x': ours(t['x'].grad), 'backward.w': ours(t['w'].grad)}
    if 'b' in t:
        out['backward.b'] = ours(t['b'].grad)
    return out


def run_batch_norm(s, x, dt):
    t = {k: torch.tensor(v, dtype=dt) for k, v in x.items()}
    image = t['x'].dim() == 4
    xi = (t['x'].permute(*NCHW) if image else t['x']).contiguous().requires_grad_()
    g, b = t['gamma'].requires_grad_(), t['beta'].requires_grad_()
    rm, rv = t['runningMean'].clone(), t['runningVar'].clone()
    y = F.batch_norm(xi, rm, rv, g, b, training=True, momentum=s['momentum'], eps=s['eps'])
    y.backward(t['dy'].permute(*NCHW) if image else t['dy'])
    back = NHWC if image else None
    return {
        'forward': ours(y, back),
        'running.mean': ours(rm),
        'running.var': ours(rv),
        'backward.x': ours(xi.grad, back),
        'backward.gamma': ours(g.grad),
        'backward.beta': ours(b.grad),
    }


def run_leaky_relu(s, x, dt):
    xi = torch.tensor(x['x'], dtype=dt).requires_grad_()
    y = F.leaky_relu(xi, s['alpha'])
    y.backward(torch.tensor(x['dy'], dtype=dt))
    return {'forward': ours(y), 'backward.x': ours(xi.grad)}


def run_dropout(s, x, dt):
    # the mask handed over (keep = 1) scaled as inverted dropout does
    xi = torch.tensor(x['x'], dtype=dt).requires_grad_()
    y = xi * (torch.tensor(x['keep'], dtype=dt) * (1.0 / (1.0 - s['rate'])))
    y.backward(torch.tensor(x['dy'], dtype=dt))
    return {'forward': ours(y), 'backward.x': ours(xi.grad)}


def run_loss(s, x, dt):
    real = torch.tensor(x['real'], dtype=dt).requires_grad_()
    fake = torch.tensor(x['fake'], dtype=dt).requires_grad_()
    if s['kind'] == 'bce':
        ones, zeros = torch.ones_like(real), torch.zeros_like(real)
        ld = F.binary_cross_entropy_with_logits(real, ones) + F.binary_cross_entropy_with_logits(fake, zeros)
        lg = lambda f: F.binary_cross_entropy_with_logits(f, ones)
    else:
        ld = fake.mean() - real.mean()
        lg = lambda f: -f.mean()
    ld.backward()
    out = {'forward.d': ours(ld), 'backward.d.real': ours(real.grad), 'backward.d.fake': ours(fake.grad)}
    f2 = torch.tensor(x['fake'], dtype=dt).requires_grad_()
    l = lg(f2)
    l.backward()
    out.update({'forward.g': ours(l), 'backward.g.fake': ours(f2.grad)})
    return out


D_KEYS = ['0.weight', '0.bias', '2.weight', '2.bias', '5.weight', '5.bias']


def run_gradient_penalty(s, x, dt):
    t = {k: torch.tensor(v, dtype=dt) for k, v in x.items()}
    w = {k: t[k].requires_grad_() for k in D_KEYS}
    c1, c2 = w['0.weight'].permute(*W_TORCH), w['2.weight'].permute(*W_TORCH)

    def critic(img):
        h = F.leaky_relu(F.conv2d(img, c1, w['0.bias'], stride=2, padding=2), 0.2)
        h = F.leaky_relu(F.conv2d(h, c2, w['2.bias'], stride=2, padding=2), 0.2)
        # flattened in @lab's NHWC order, so that the dense kernel is handed over as it is
        return h.permute(*NHWC).flatten(1) @ w['5.weight'] + w['5.bias']

    eps = t['eps'].view(-1, 1, 1, 1)
    xhat = (eps * t['real'] + (1 - eps) * t['fake']).permute(*NCHW).contiguous().requires_grad_()
    (g,) = torch.autograd.grad(critic(xhat).sum(), xhat, create_graph=True)
    norms = torch.sqrt((g.reshape(g.shape[0], -1) ** 2).sum(1) + 1e-12)
    penalty = s['lambda'] * ((norms - 1) ** 2).mean()
    # the output bias does not reach the input gradient: no pass for it
    grads = torch.autograd.grad(penalty, [w[k] for k in D_KEYS], allow_unused=True)
    out = {'forward': ours(penalty)}
    out.update({f'backward.{k}': ours(gk) for k, gk in zip(D_KEYS, grads) if gk is not None})
    return out


def run_adam(s, x, dt):
    p0 = torch.tensor(x['param'], dtype=dt)
    param = torch.nn.Parameter(p0.clone())
    opt = torch.optim.Adam([param], s['lr'], betas=(s['b1'], s['b2']), eps=s['eps'])
    grads = torch.tensor(x['grads'], dtype=dt)
    for g in grads:
        param.grad = g.clone()
        opt.step()
    # the update, taken in float64 from the float32 values (no rounding of its own)
    return {'update': param.detach().to(torch.float64).numpy() - p0.to(torch.float64).numpy()}


def inputs(s):
    k = s['kind']
    if k == 'conv':
        fan = s['w'][0] * s['w'][1] * s['w'][2]
        x = {'x': normal(s['x']), 'w': uniform(s['w'], 1 / math.sqrt(fan))}
        if s['bias']:
            x['b'] = uniform([s['w'][3]], 1 / math.sqrt(fan))
        n, h, w_ = s['x'][:3]
        size = lambda d: (d + 2 * s['pad'] - s['w'][0]) // s['stride'] + 1
        x['dy'] = normal([n, size(h), size(w_), s['w'][3]])
        return x
    if k == 'convTranspose':
        fan = s['w'][0] * s['w'][1] * s['w'][2]  # PyTorch's fan_in of a transposed conv: out * k * k
        n, h, w_ = s['x'][:3]
        size = lambda d: (d - 1) * s['stride'] - 2 * s['pad'] + s['w'][0] + s['outPad']
        return {
            'x': f32(np.maximum(normal(s['x']), 0)),  # after BN and ReLU, as in the generator
            'w': uniform(s['w'], 1 / math.sqrt(fan)),
            'dy': normal([n, size(h), size(w_), s['w'][2]]),
        }
    if k == 'dense':
        bound = 1 / math.sqrt(s['w'][0])
        x = {'x': normal(s['x']), 'w': uniform(s['w'], bound), 'dy': normal([s['x'][0], s['w'][1]])}
        if s['bias']:
            x['b'] = uniform([s['w'][1]], bound)
        return x
    if k == 'batchNorm':
        c = s['x'][-1]
        # features with their own offset and spread, as a layer's pre-activations have
        offset, spread = normal([c]), f32(rng.uniform(0.2, 2.0, size=[c]))
        return {
            'x': f32(offset + spread * normal(s['x'])),
            'gamma': f32(rng.uniform(0.5, 1.5, size=[c])),
            'beta': normal([c], 0.1),
            'runningMean': normal([c], 0.5),
            'runningVar': f32(rng.uniform(0.5, 2.0, size=[c])),
            'dy': normal(s['x']),
        }
    if k == 'leakyRelu':
        return {'x': normal(s['x']), 'dy': normal(s['x'])}
    if k == 'dropout':
        return {'x': normal(s['x']), 'keep': f32(rng.random(s['x']) >= s['rate']), 'dy': normal(s['x'])}
    if k in ('bce', 'wasserstein'):
        return {'real': normal(s['logits'], 2.0, 1.0), 'fake': normal(s['logits'], 2.0, -1.0)}
    if k == 'gradientPenalty':
        wd = s['width']
        b1, b2, b3 = 1 / math.sqrt(25), 1 / math.sqrt(25 * wd), 1 / math.sqrt(49 * 2 * wd)
        return {
            '0.weight': uniform([5, 5, 1, wd], b1), '0.bias': uniform([wd], b1),
            '2.weight': uniform([5, 5, wd, 2 * wd], b2), '2.bias': uniform([2 * wd], b2),
            '5.weight': uniform([49 * 2 * wd, 1], b3), '5.bias': uniform([1], b3),
            'real': uniform(s['images'], 1.0), 'fake': f32(np.tanh(normal(s['images']))),
            'eps': f32(rng.random([s['images'][0]])),
        }
    if k == 'adam':
        # per-element gradient scales over three decades, so that eps and the moments' range matter
        scale = f32(10.0 ** rng.uniform(-5, -2, size=s['param']))
        # from zero weights, so that the update is not rounded to the weights' ulp (as large as the
        # arithmetic's error otherwise)
        return {
            'param': f32(np.zeros(s['param'])),
            'grads': f32(np.stack([scale * normal(s['param']) for _ in range(s['steps'])])),
        }
    raise SystemExit(f"{a.ops}: unknown op kind {k!r}")


RUN = {
    'conv': run_conv, 'convTranspose': run_conv_transpose, 'dense': run_dense, 'batchNorm': run_batch_norm,
    'leakyRelu': run_leaky_relu, 'dropout': run_dropout, 'bce': run_loss, 'wasserstein': run_loss,
    'gradientPenalty': run_gradient_penalty, 'adam': run_adam,
}

results = []
for i, s in enumerate(OPS):
    x = inputs(s)
    for name, v in x.items():
        np.save(os.path.join(a.out, f'{i}.in.{name}.npy'), v)
    r32, r64 = RUN[s['kind']](s, x, torch.float32), RUN[s['kind']](s, x, torch.float64)
    for pass_, ref in r64.items():
        ref = np.asarray(ref, dtype=np.float64).reshape(np.shape(ref) or (1,))
        hi = f32(ref)
        np.save(os.path.join(a.out, f'{i}.ref.{pass_}.hi.npy'), hi)
        np.save(os.path.join(a.out, f'{i}.ref.{pass_}.lo.npy'), f32(ref - hi.astype(np.float64)))
        diff = np.asarray(r32[pass_], dtype=np.float64).reshape(ref.shape) - ref
        norm = float(np.linalg.norm(ref))
        results.append({
            'index': i, 'op': s['op'], 'pass': pass_,
            'rel_err': float(np.linalg.norm(diff)) / norm if norm > 0 else float(np.linalg.norm(diff)),
            'max_abs': float(np.abs(diff).max()),
        })
print(json.dumps({'torch': torch.__version__, 'results': results}))
