// The demo page: checks WebAssembly SIMD, starts @lab's WASM SIMD backend (the .wasm files are served
// from ./wasm/), then shows one page per hash route (#ring, #divergences, #adversarial, #parse), each
// set up the first time it is opened. With ?auto the opened page runs once by itself and publishes its
// results on window.labDemo, which is what the browser test reads.
import { initBackend } from '@lab/core';
import { adversarialPage } from './adversarial-page.js';
import { compressPage } from './compress-page.js';
import { divergenceExplorer } from './divergences-page.js';
import { fineTunePage } from './finetune-page.js';
import { ganPage } from './gan-page.js';
import { arcDiagram, conlluDownload, formatConllu, loadShippedModel, parseText } from './parse.js';
import { intOption } from './query.js';
import { trainRing } from './ring.js';
import { type Page, startRouter } from './router.js';
import { supportMessage, wasmSupport } from './simd.js';

declare global {
  interface Window {
    labDemo?: Record<string, unknown>;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const errorText = (e: unknown) => (e instanceof Error ? (e.stack ?? e.message) : String(e));

async function main(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const auto = query.has('auto');
  const results: Record<string, unknown> = {};
  const publish = (key: string, value: unknown) => {
    results[key] = value;
    window.labDemo = { ...results };
  };
  const support = wasmSupport();
  $('support').textContent = supportMessage(support);
  publish('support', support);

  // ?threads=N asks for N WASM threads (honoured on cross-origin isolated pages); default: tfjs's choice
  const threads = intOption(query, 'threads', { min: 1, max: 64 }) ?? 'auto';
  const ringSteps = intOption(query, 'steps', { min: 1, max: 100_000 }) ?? 200;
  const report = await initBackend({ wasmPaths: new URL('./wasm/', location.href).href, threads });
  $('backend').textContent =
    `backend ${report.backend}, SIMD ${report.simd ? 'on' : 'off'}, ${report.threads} thread(s)` +
    (report.heapKernels ? ', @lab heap kernels on' : '') +
    (report.fma ? " (FMA: convolutions on @lab's kernel)" : '') +
    (report.fallbackReason ? ` (fallback: ${report.fallbackReason})` : '');
  if (!report.simd && support.wasm && !$('support').textContent)
    $('support').textContent = supportMessage({ wasm: true, simd: false });
  publish('report', report);

  const pages: Page[] = [
    {
      id: 'ring',
      title: 'GAN: 8-Gaussian ring',
      open: async () => {
        const ring = (steps: number) =>
          trainRing($<HTMLCanvasElement>('ring'), {
            steps,
            onProgress: (s) => {
              $('ring-status').textContent = s;
            },
          });
        $('ring-train').addEventListener('click', () => void ring(3000));
        if (auto) publish('ring', await ring(ringSteps));
      },
    },
    {
      id: 'fashion-gan',
      title: 'GAN on Fashion-MNIST',
      open: () =>
        ganPage({
          wasmPaths: new URL('./wasm/', location.href).href,
          threads,
          auto,
          autoSteps: intOption(query, 'gan-steps', { min: 1, max: 100_000 }) ?? 3,
          publish,
        }),
    },
    {
      id: 'finetune',
      title: 'Fine-tuning',
      open: async () => {
        const r = await fineTunePage({ auto });
        if (r) publish('finetune', r);
      },
    },
    {
      id: 'compress',
      title: 'Compression',
      open: async () => {
        const r = await compressPage({ auto });
        if (r) publish('compress', r);
      },
    },
    {
      id: 'divergences',
      title: 'Divergences',
      open: () => divergenceExplorer($('div-root'), (s) => publish('divergences', s)),
    },
    {
      id: 'adversarial',
      title: 'Adversarial examples',
      open: async () => {
        const r = await adversarialPage($('adv-root'), { auto });
        if (r) publish('adversarial', r);
      },
    },
    {
      id: 'parse',
      title: 'Parser',
      open: async () => {
        const model = loadShippedModel();
        const download = $<HTMLAnchorElement>('conllu-download');
        let revoke = () => {};
        const parse = async () => {
          const m = await model;
          const t0 = performance.now();
          const parsed = parseText(m, $<HTMLTextAreaElement>('text').value);
          const ms = performance.now() - t0;
          const conllu = formatConllu(parsed);
          $('parse-status').textContent = `${parsed.length} sentence(s) in ${ms.toFixed(1)} ms`;
          $('arcs').replaceChildren(...parsed.map(arcDiagram));
          $('conllu').textContent = conllu;
          revoke();
          revoke = conlluDownload(download, conllu);
          return { sentences: parsed.length, conllu, ms };
        };
        $('parse').addEventListener('click', () => void parse());
        const first = await parse();
        if (auto) publish('parse', first);
      },
    },
  ];
  startRouter(pages, $('nav'), (page, error) => {
    publish('error', `${page}: ${errorText(error)}`);
    $('backend').textContent = `the ${page} page failed: ${error}`;
  });
}

main().catch((error) => {
  $('backend').textContent = `failed: ${error}`;
  window.labDemo = { error: errorText(error) };
});
