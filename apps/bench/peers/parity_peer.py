"""PyTorch reference trajectory for `pnpm bench gan-parity`.

Builds the W1 DCGAN nets (base width --width, PyTorch padding, the discriminator's dropout at rate
--dropout), draws the initial weights, the real-batch indices, the noise and the dropout masks for --steps
iterations, and trains them with non-saturating BCE and Adam(2e-4, 0.5, 0.999) twice from the same start:
in float32 (what PyTorch users get) and in float64 (the exact answer, up to float64 rounding). Both runs
(and ours) use the same masks, so that all compute one function. Writes everything as .npy files in --out
(the weights after each step of --report as `final32.S.*` and `final64.S.*`), the masks of step S as
`mask.S.bin` (bits, little-endian bit order, of the six keep masks of the step in the order used:
D(real) layer 1 and 2, D(fake) for D's update, D(fake) for G's, each NCHW), and prints one JSON line
with the per-step losses of both runs.

Usage: /usr/bin/python3 parity_peer.py --data DIR --out DIR [--width 64] [--steps 30] [--seed 0]
       [--dropout 0.3] [--report 30,100]"""
import argparse, gzip, json, os, struct
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--data', required=True)
p.add_argument('--out', required=True)
p.add_argument('--width', type=int, default=64)
p.add_argument('--steps', type=int, default=30)
p.add_argument('--seed', type=int, default=0)
p.add_argument('--dropout', type=float, default=0.0)
p.add_argument('--report', default='')
a = p.parse_args()
if not 0 <= a.dropout < 1:
    p.error(f'--dropout must be in [0, 1), got {a.dropout}')
REPORT = sorted({int(x) for x in a.report.split(',') if x.strip()} | {a.steps})
if REPORT[0] < 1 or REPORT[-1] > a.steps:
    p.error(f'--report steps must be in [1, --steps], got {a.report}')
torch.manual_seed(a.seed)
torch.set_num_threads(1)
os.makedirs(a.out, exist_ok=True)
B, Z, W = 64, 100, a.width

with gzip.open(os.path.join(a.data, 'train-images-idx3-ubyte.gz'), 'rb') as f:
    magic, n, rows, cols = struct.unpack('>IIII', f.read(16))
    assert magic == 2051
    real = torch.from_numpy(np.frombuffer(f.read(), dtype=np.uint8).reshape(n, 1, rows, cols).astype(np.float32) / 127.5 - 1)

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
    """Dropout by the masks in `s.masks` (two per forward, consumed in order), scaled by 1 / (1 - p)."""
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(1, W, 5, 2, 2); s.c2 = nn.Conv2d(W, 2 * W, 5, 2, 2); s.fc = nn.Linear(2 * W * 7 * 7, 1)
        s.masks = []
    def drop(s, h):
        return h * (s.masks.pop(0).to(h.dtype) * (1.0 / (1.0 - a.dropout))) if a.dropout > 0 else h
    def forward(s, x):
        h = s.drop(F.leaky_relu(s.c1(x), 0.2))
        return s.fc(s.drop(F.leaky_relu(s.c2(h), 0.2)).flatten(1))

MASK_SHAPES = [(B, W, 14, 14), (B, 2 * W, 7, 7)] * 3

def step_masks(it):
    """The six keep masks of step `it`, drawn from their own generator, so both runs share them."""
    gen = torch.Generator().manual_seed(a.seed * 1_000_003 + it + 1)
    return [torch.rand(shape, generator=gen) >= a.dropout for shape in MASK_SHAPES]

g0, d0 = G(), D()
init = {('g', k): v.clone() for k, v in g0.state_dict().items()}
init.update({('d', k): v.clone() for k, v in d0.state_dict().items()})
idx = torch.randint(0, real.shape[0], (a.steps, B))
zs = torch.randn(a.steps, B, Z)

def save(prefix, tensors):
    for (net, k), v in tensors.items():
        if v.dtype.is_floating_point:
            np.save(os.path.join(a.out, f'{prefix}.{net}.{k}.npy'), v.detach().cpu().numpy().astype(np.float32))

def run(dtype):
    g, d = G().to(dtype), D().to(dtype)
    g.load_state_dict({k: v.to(dtype) if v.dtype.is_floating_point else v for (n, k), v in init.items() if n == 'g'})
    d.load_state_dict({k: v.to(dtype) for (n, k), v in init.items() if n == 'd'})
    og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999)); od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    ones, zeros = torch.ones(B, 1, dtype=dtype), torch.zeros(B, 1, dtype=dtype)
    x, noise, losses = real.to(dtype), zs.to(dtype), []
    for it in range(a.steps):
        if a.dropout > 0:
            d.masks = step_masks(it)
            if dtype == torch.float32:
                bits = np.concatenate([m.numpy().reshape(-1) for m in d.masks])
                np.packbits(bits, bitorder='little').tofile(os.path.join(a.out, f'mask.{it}.bin'))
        fake = g(noise[it])
        ld = F.binary_cross_entropy_with_logits(d(x[idx[it]]), ones) + F.binary_cross_entropy_with_logits(d(fake.detach()), zeros)
        od.zero_grad(); ld.backward(); od.step()
        lg = F.binary_cross_entropy_with_logits(d(fake), ones)
        og.zero_grad(); lg.backward(); og.step()
        losses.append([ld.item(), lg.item()])
        assert not d.masks, 'every dropout mask of the step is used'
        if it + 1 in REPORT:
            final = {('g', k): v for k, v in g.state_dict().items()}
            final.update({('d', k): v for k, v in d.state_dict().items()})
            save(f'final{32 if dtype == torch.float32 else 64}.{it + 1}', final)
    return losses

save('init', init)
np.save(os.path.join(a.out, 'idx.npy'), idx.numpy().astype(np.float32))
np.save(os.path.join(a.out, 'z.npy'), zs.numpy())
l32 = run(torch.float32)
l64 = run(torch.float64)
print(json.dumps({'steps': a.steps, 'width': W, 'dropout': a.dropout, 'report': REPORT,
                  'losses32': l32, 'losses64': l64, 'torch': torch.__version__}))
