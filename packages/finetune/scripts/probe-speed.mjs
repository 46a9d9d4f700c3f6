// Times the linear probe (body features computed once) against training the same head through the
// frozen body every step, on a small convnet and random 28x28 images. A measurement, not a test:
//   pnpm --filter @lab/finetune build && node packages/finetune/scripts/probe-speed.mjs [backend]
import { adam, BatchNorm, Conv2d, Dense, Flatten, initBackend, ReLU, Rng, Sequential } from '@lab/core';
import { getBackend, randomNormal } from '@tensorflow/tfjs-core';
import { fitClassifier, freezeLayers, linearProbe } from '../dist/index.js';

const backend = process.argv[2] ?? 'wasm';
await initBackend({ backend, fallback: false });
const body = () => [
  new Conv2d(1, 16, 3, { padding: 1, rng: new Rng(1) }),
  new BatchNorm(16),
  ReLU(),
  new Conv2d(16, 32, 3, { stride: 2, padding: 1, rng: new Rng(2) }),
  ReLU(),
  new Conv2d(32, 32, 3, { stride: 2, padding: 1, rng: new Rng(3) }),
  ReLU(),
  Flatten(),
];
const head = () => new Dense(7 * 7 * 32, 5, { rng: new Rng(4) });
const n = 512;
const rng = new Rng(5);
const data = {
  x: randomNormal([n, 28, 28, 1], 0, 1, 'float32', 6),
  labels: Int32Array.from({ length: n }, () => rng.int(5)),
};
const options = { data, transform: adam(1e-3), epochs: 5, batchSize: 32, seed: 7 };

const b = new Sequential(body());
const h = head();
const slow = new Sequential([...body(), head()]);
freezeLayers(slow, /^[0-7]\./);
const runProbe = (epochs) => linearProbe({ body: b, head: h, ...options, epochs });
const runSlow = (epochs) =>
  fitClassifier({ module: slow, params: slow.trainableParameters(), ...options, epochs });
// one epoch of each first, so neither pays the backend's warm-up (kernel set-up, JIT) in the timing
runProbe(1);
runSlow(1);
const time = (run) => {
  const t = performance.now();
  run(options.epochs);
  return performance.now() - t;
};
const probeMs = time(runProbe);
const slowMs = time(runSlow);

console.log(
  JSON.stringify({
    backend: getBackend(),
    examples: n,
    epochs: options.epochs,
    probe_seconds: +(probeMs / 1000).toFixed(2),
    frozen_body_seconds: +(slowMs / 1000).toFixed(2),
    speedup: +(slowMs / probeMs).toFixed(1),
  }),
);
for (const m of [b, h, slow]) m.dispose();
data.x.dispose();
