import { describe, expect, it } from 'vitest';
import { compileSimdKernels, decodeBase64 } from './simd-module.js';

// The smallest valid module (magic and version, no sections), and one that uses a SIMD instruction.
const EMPTY_MODULE = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]).toString('base64');
const NOT_WASM = Buffer.from('not a wasm module').toString('base64');

describe('decodeBase64', () => {
  it('decodes to the original bytes, padding and empty input included', () => {
    for (const bytes of [[], [0], [255, 1], [1, 2, 3], [0, 97, 115, 109, 1, 0, 0, 0, 200]]) {
      const s = Buffer.from(bytes).toString('base64');
      expect(Array.from(decodeBase64(s))).toEqual(bytes);
    }
  });

  it('decodes the same way through atob where there is no Buffer', () => {
    const s = Buffer.from([7, 250, 0, 33]).toString('base64');
    const saved = globalThis.Buffer;
    try {
      (globalThis as { Buffer?: unknown }).Buffer = undefined;
      expect(Array.from(decodeBase64(s))).toEqual([7, 250, 0, 33]);
    } finally {
      globalThis.Buffer = saved;
    }
  });
});

describe('compileSimdKernels', () => {
  it('compiles the FMA build first when it is allowed and valid', () => {
    const r = compileSimdKernels({ plain: EMPTY_MODULE, fma: EMPTY_MODULE });
    expect(r?.fma).toBe(true);
    expect(r?.module).toBeInstanceOf(WebAssembly.Module);
  });

  it('falls back to the plain build when the FMA build fails, is absent or not allowed', () => {
    expect(compileSimdKernels({ plain: EMPTY_MODULE, fma: NOT_WASM })?.fma).toBe(false);
    expect(compileSimdKernels({ plain: EMPTY_MODULE })?.fma).toBe(false);
    expect(compileSimdKernels({ plain: EMPTY_MODULE, fma: EMPTY_MODULE }, { fma: false })?.fma).toBe(false);
  });

  it('skips a build that the check refuses, and gives null when nothing compiles', () => {
    const seen: number[] = [];
    const refuseFirst = (bytes: Uint8Array) => {
      seen.push(bytes.length);
      if (seen.length === 1) throw new Error('has a data segment');
    };
    expect(compileSimdKernels({ plain: EMPTY_MODULE, fma: EMPTY_MODULE, check: refuseFirst })?.fma).toBe(
      false,
    );
    expect(seen).toEqual([8, 8]);
    expect(compileSimdKernels({ plain: NOT_WASM, fma: NOT_WASM })).toBeNull();
    expect(
      compileSimdKernels({
        plain: EMPTY_MODULE,
        check: () => {
          throw new Error('refused');
        },
      }),
    ).toBeNull();
  });
});
