"""PyTorch peer for `pnpm bench gan-quality` and `pnpm bench wgan-quality`.

Trains the same DCGAN nets as @lab/gan (W1 of shared/BENCHMARKS.md, base width `--width`) on the
Fashion-MNIST training images for the same budget as ours, then exports generated images in [-1, 1]
as float32 .npy files [n, 28, 28], so that both sides are scored by the same evaluator (ours).

Usage: /usr/bin/python3 quality_peer.py gan|wgan --data DIR --iters N --out DIR
         [--width 64] [--samples 10000] [--checkpoints K] [--checkpoint-samples 2000] [--seed 0]
gan:  non-saturating BCE, Adam(2e-4, 0.5, 0.999), D with dropout 0.3, batch 64.
wgan: WGAN-GP, 5 critic steps with lambda 10 per generator step, Adam(1e-4, 0, 0.9), no dropout, batch 64;
      also the critic's W estimate per step.
Both write samples at K evenly spaced checkpoints (every iters // K steps; none when K is 0); the
checkpoint samples draw their own noise, so they leave the training's random stream as it was.
Prints one JSON line with the file names and the training time per iteration (without the time spent
writing checkpoint samples, which it reports apart as checkpoint_seconds, as ours leaves out its own)."""
import argparse, gzip, json, os, struct, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('mode', choices=['gan', 'wgan'])
p.add_argument('--data', required=True)
p.add_argument('--iters', type=int, required=True)
p.add_argument('--out', required=True)
p.add_argument('--width', type=int, default=64)
p.add_argument('--samples', type=int, default=10000)
p.add_argument('--checkpoints', type=int, default=0)
p.add_argument('--checkpoint-samples', type=int, default=2000)
p.add_argument('--seed', type=int, default=0)
p.add_argument('--threads', type=int, default=1)
a = p.parse_args()
torch.manual_seed(a.seed)
torch.set_num_threads(a.threads)
os.makedirs(a.out, exist_ok=True)
B, Z, W = 64, 100, a.width

def idx_images(path):
    with gzip.open(path, 'rb') as f:
        magic, n, rows, cols = struct.unpack('>IIII', f.read(16))
        assert magic == 2051, f'{path} is not an IDX image file'
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(n, 1, rows, cols)

real = torch.from_numpy(idx_images(os.path.join(a.data, 'train-images-idx3-ubyte.gz')).astype(np.float32) / 127.5 - 1)

class G(nn.Module):
    def __init__(s):
        super().__init__()
        s.fc = nn.Linear(Z, 7 * 7 * 4 * W, bias=False); s.bn0 = nn.BatchNorm1d(7 * 7 * 4 * W)
        s.c1 = nn.ConvTranspose2d(4 * W, 2 * W, 5, 1, 2, bias=False); s.bn1 = nn.BatchNorm2d(2 * W)
        s.c2 = nn.ConvTranspose2d(2 * W, W, 5, 2, 2, output_padding=1, bias=False); s.bn2 = nn.BatchNorm2d(W)
        s.c3 = nn.ConvTranspose2d(W, 1, 5, 2, 2, output_padding=1, bias=False)
    def forward(s, z):
        h = F.relu(s.bn0(s.fc(z))).view(-1, 4 * W, 7, 7)
        h = F.relu(s.bn1(s.c1(h))); h = F.relu(s.bn2(s.c2(h)))
        return torch.tanh(s.c3(h))

class D(nn.Module):
    def __init__(s, dropout):
        super().__init__()
        s.c1 = nn.Conv2d(1, W, 5, 2, 2); s.c2 = nn.Conv2d(W, 2 * W, 5, 2, 2); s.fc = nn.Linear(2 * W * 7 * 7, 1); s.p = dropout
    def forward(s, x):
        h = F.dropout(F.leaky_relu(s.c1(x), 0.2), s.p, s.training)
        h = F.dropout(F.leaky_relu(s.c2(h), 0.2), s.p, s.training)
        return s.fc(h.flatten(1))

def batch():
    return real[torch.randint(0, real.shape[0], (B,))]

def export(g, n, name, seed):
    g.eval()
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        x = torch.cat([g(torch.randn(min(500, n - s), Z, generator=gen)) for s in range(0, n, 500)])
    g.train()
    path = os.path.join(a.out, name)
    np.save(path, x.reshape(n, 28, 28).numpy().astype(np.float32))
    return path

g = G()
files, w_estimate = {}, []
checkpoint_seconds = 0.0
every = max(1, a.iters // a.checkpoints) if a.checkpoints else 0  # as ours: at least every step

def checkpoint(it):
    global checkpoint_seconds
    if every and (it + 1) % every == 0:
        c0 = time.time()
        files[str(it + 1)] = export(g, a.checkpoint_samples, f'samples-{it + 1:06d}.npy', a.seed + 1)
        checkpoint_seconds += time.time() - c0

t0 = time.time()
if a.mode == 'gan':
    d = D(0.3)
    og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999)); od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)
    for it in range(a.iters):
        fake = g(torch.randn(B, Z))
        ld = F.binary_cross_entropy_with_logits(d(batch()), ones) + F.binary_cross_entropy_with_logits(d(fake.detach()), zeros)
        od.zero_grad(); ld.backward(); od.step()
        lg = F.binary_cross_entropy_with_logits(d(fake), ones)
        og.zero_grad(); lg.backward(); og.step()
        checkpoint(it)
else:
    d = D(0.0)
    og = torch.optim.Adam(g.parameters(), 1e-4, betas=(0.0, 0.9)); od = torch.optim.Adam(d.parameters(), 1e-4, betas=(0.0, 0.9))
    for it in range(a.iters):
        for _ in range(5):
            xr = batch()
            with torch.no_grad():
                fake = g(torch.randn(B, Z))
            eps = torch.rand(B, 1, 1, 1); xh = (eps * xr + (1 - eps) * fake).requires_grad_(True)
            gr, = torch.autograd.grad(d(xh).sum(), xh, create_graph=True)
            gp = ((gr.flatten(1).norm(dim=1) - 1) ** 2).mean()
            dr, df = d(xr).mean(), d(fake).mean()
            ld = df - dr + 10 * gp
            od.zero_grad(); ld.backward(); od.step()
        w_estimate.append(float(dr - df))
        lg = -d(g(torch.randn(B, Z))).mean()
        og.zero_grad(); lg.backward(); og.step()
        checkpoint(it)
seconds = time.time() - t0 - checkpoint_seconds
final = export(g, a.samples, 'samples.npy', a.seed + 2)
print(json.dumps({'mode': a.mode, 'iters': a.iters, 'width': W, 'samples': final, 'checkpoints': files,
                  'w_estimate': w_estimate, 'ms_per_iter': 1000 * seconds / a.iters,
                  'checkpoint_seconds': checkpoint_seconds, 'torch': torch.__version__}))
