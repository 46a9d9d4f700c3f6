#!/usr/bin/env node
// Compiles kernels/csr-matmul.c to WASM SIMD, plain and with relaxed SIMD's fused multiply-add (clang-16
// emits the final relaxed opcodes), and embeds the modules in src/sparse/csr-kernel.wasm.ts.
// `--check` rebuilds and fails if the committed module differs.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildKernel } from '../../../scripts/wasm-kernel.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
buildKernel({
  source: join(root, 'kernels', 'csr-matmul.c'),
  target: join(root, 'src', 'sparse', 'csr-kernel.wasm.ts'),
  clang: 'clang-16',
  variants: [
    { constName: 'CSR_MATMUL_WASM_BASE64', flags: [] },
    { constName: 'CSR_MATMUL_FMA_WASM_BASE64', flags: ['-mrelaxed-simd', '-DLAB_FMA'] },
  ],
  linkArgs: ['-Wl,--export=__heap_base'],
  check: process.argv.includes('--check'),
});
