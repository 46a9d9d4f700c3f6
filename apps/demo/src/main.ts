// The demo page: starts @lab's WASM SIMD backend (the .wasm files are served from ./wasm/), then wires
// the GAN and parser panels. With ?auto the page runs both panels once and publishes the results on
// window.labDemo, which is what the browser test reads.
import { initBackend } from '@lab/core';
import { arcDiagram, formatConllu, loadShippedModel, parseText } from './parse.js';
import { trainRing } from './ring.js';

declare global {
  interface Window {
    labDemo?: Record<string, unknown>;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function main(): Promise<void> {
  const auto = new URLSearchParams(location.search);
  // ?threads=N asks for N WASM threads (honoured on cross-origin isolated pages); default: tfjs's choice
  const threads = auto.has('threads') ? Number(auto.get('threads')) : 'auto';
  const report = await initBackend({ wasmPaths: new URL('./wasm/', location.href).href, threads });
  $('backend').textContent =
    `backend ${report.backend}, SIMD ${report.simd ? 'on' : 'off'}, ${report.threads} thread(s)` +
    (report.heapKernels ? ', @lab heap kernels on' : '') +
    (report.fma ? " (FMA: convolutions on @lab's kernel)" : '') +
    (report.fallbackReason ? ` (fallback: ${report.fallbackReason})` : '');
  const model = loadShippedModel();

  const parse = async () => {
    const m = await model;
    const t0 = performance.now();
    const parsed = parseText(m, $<HTMLTextAreaElement>('text').value);
    const ms = performance.now() - t0;
    $('parse-status').textContent = `${parsed.length} sentence(s) in ${ms.toFixed(1)} ms`;
    $('arcs').replaceChildren(...parsed.map(arcDiagram));
    $('conllu').textContent = formatConllu(parsed);
    return { sentences: parsed.length, conllu: formatConllu(parsed), ms };
  };
  const ring = (steps: number) =>
    trainRing($<HTMLCanvasElement>('ring'), {
      steps,
      onProgress: (s) => {
        $('ring-status').textContent = s;
      },
    });
  $('parse').addEventListener('click', () => void parse());
  $('ring-train').addEventListener('click', () => void ring(3000));

  if (auto.has('auto')) {
    const steps = Number(auto.get('steps') ?? 300);
    try {
      window.labDemo = { report, parse: await parse(), ring: await ring(steps) };
    } catch (error) {
      window.labDemo = { report, error: error instanceof Error ? error.stack : String(error) };
    }
  }
}

main().catch((error) => {
  $('backend').textContent = `failed: ${error}`;
  window.labDemo = { error: error instanceof Error ? error.stack : String(error) };
});
