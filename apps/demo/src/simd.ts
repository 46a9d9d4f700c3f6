// WebAssembly SIMD detection before the backend starts, so that the page can say plainly why it is
// slow or does not run, instead of failing somewhere inside tfjs.

// The smallest module that uses a v128 instruction (i8x16.splat of 0, dropped): a browser without
// SIMD rejects it at validation.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
]);

export interface WasmSupport {
  wasm: boolean;
  simd: boolean;
}

export function wasmSupport(): WasmSupport {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function')
    return { wasm: false, simd: false };
  return { wasm: true, simd: WebAssembly.validate(SIMD_PROBE) };
}

/** The message a visitor sees when WASM or its SIMD extension is missing; empty when all is well. */
export function supportMessage({ wasm, simd }: WasmSupport): string {
  if (!wasm)
    return 'This browser has no WebAssembly: the demo needs it (every current browser has it; is it disabled by a policy?).';
  if (!simd)
    return "This browser's WebAssembly has no SIMD: the demo falls back to slower kernels (or to the plain JavaScript backend), so training and attacks are much slower. Chrome 91+, Firefox 89+ and Safari 16.4+ have SIMD.";
  return '';
}
