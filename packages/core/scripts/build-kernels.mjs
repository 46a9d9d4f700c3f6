#!/usr/bin/env node
// Compiles kernels/heap.c (WASM SIMD kernels on tfjs's heap) into src/kernels/heap/heap.wasm.ts,
// twice: plain SIMD and with relaxed SIMD's fused multiply-add (clang-16 emits the final relaxed
// opcodes that runtimes accept; clang 14's are the prototype ones).
// `--check` rebuilds and fails if the committed module differs.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildKernel } from '../../../scripts/wasm-kernel.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
buildKernel({
  source: join(root, 'kernels', 'heap.c'),
  target: join(root, 'src', 'kernels', 'heap', 'heap.wasm.ts'),
  clang: 'clang-16',
  variants: [
    { constName: 'HEAP_KERNELS_WASM_BASE64', flags: [] },
    { constName: 'HEAP_KERNELS_FMA_WASM_BASE64', flags: ['-mrelaxed-simd', '-DLAB_FMA'] },
    // for @lab's own kernel threads in Node (conv-threads.ts): the same code on a shared memory
    {
      constName: 'HEAP_KERNELS_FMA_SHARED_WASM_BASE64',
      flags: ['-mrelaxed-simd', '-DLAB_FMA', '-matomics', '-mbulk-memory'],
      linkArgs: ['-Wl,--shared-memory', '-Wl,--max-memory=2147483648'],
    },
  ],
  // the memory is tfjs's; the stack pointer is exported so that the loader can place the stack
  linkArgs: ['-mmutable-globals', '-Wl,--import-memory', '-Wl,--export=__stack_pointer'],
  check: process.argv.includes('--check'),
});
