import { afterEach, describe, expect, it, vi } from 'vitest';
import { supportMessage, wasmSupport } from './simd.js';

describe('wasmSupport', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('finds WebAssembly with SIMD in Node (which has had it since 16), through the v128 probe', () => {
    const validate = vi.spyOn(WebAssembly, 'validate');
    expect(wasmSupport()).toEqual({ wasm: true, simd: true });
    // the probe is a well-formed module: only its SIMD instruction can make validation fail
    const probe = validate.mock.calls[0]![0] as Uint8Array;
    expect(Array.from(probe.subarray(0, 8))).toEqual([0, 97, 115, 109, 1, 0, 0, 0]);
    expect(probe).toContain(253); // the 0xfd SIMD prefix
    validate.mockRestore();
  });

  it('reports no SIMD when the probe fails validation, and no WebAssembly when it is absent', () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    expect(wasmSupport()).toEqual({ wasm: true, simd: false });
    vi.restoreAllMocks();
    vi.stubGlobal('WebAssembly', undefined);
    expect(wasmSupport()).toEqual({ wasm: false, simd: false });
  });
});

describe('supportMessage', () => {
  it('says nothing when all is well, and names what is missing otherwise', () => {
    expect(supportMessage({ wasm: true, simd: true })).toBe('');
    expect(supportMessage({ wasm: false, simd: false })).toMatch(/^This browser has no WebAssembly/);
    const noSimd = supportMessage({ wasm: true, simd: false });
    expect(noSimd).toMatch(/^This browser's WebAssembly has no SIMD/);
    expect(noSimd).toContain('Chrome 91+');
  });
});
