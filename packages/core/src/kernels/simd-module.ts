// Compiling @lab's WASM SIMD kernels, shipped as base64 in a plain and a relaxed-SIMD (FMA) build: the
// FMA build where the runtime accepts it and the caller allows it, else the plain one, else nothing (no
// SIMD: callers use their JavaScript paths). A pure function: the compiled modules are kept by the
// runtime object that initBackend builds (runtime/lab-runtime.ts), which decides whether FMA is allowed.

/** Bytes of a base64 string (Node's Buffer, or atob in browsers). */
export function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(s, 'base64'));
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

export interface SimdKernelBuilds {
  /** The plain WASM SIMD build (base64). */
  plain: string;
  /** The build with relaxed SIMD's fused multiply-add (base64), if there is one. */
  fma?: string;
  /** Refuses a build's bytes by throwing (e.g. a module that must have no data segment). */
  check?: (bytes: Uint8Array) => void;
}

export interface CompiledSimdKernels {
  module: WebAssembly.Module;
  /** The FMA build was compiled. */
  fma: boolean;
}

export interface CompileSimdOptions {
  /** Try the FMA build first. Default true. */
  fma?: boolean;
}

/** The first build this runtime compiles (FMA first, when allowed), or null without WASM SIMD. */
export function compileSimdKernels(
  builds: SimdKernelBuilds,
  { fma: allowFma = true }: CompileSimdOptions = {},
): CompiledSimdKernels | null {
  const order: [string | undefined, boolean][] = [
    [allowFma ? builds.fma : undefined, true],
    [builds.plain, false],
  ];
  for (const [base64, fma] of order) {
    if (!base64) continue;
    try {
      const bytes = decodeBase64(base64);
      builds.check?.(bytes);
      return { module: new WebAssembly.Module(bytes), fma };
    } catch {
      // no relaxed SIMD (then the plain build), or no SIMD at all (then null)
    }
  }
  return null;
}
