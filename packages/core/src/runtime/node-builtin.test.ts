import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeBuiltin } from './node-builtin.js';

describe('nodeBuiltin', () => {
  it("returns Node's own module by id, with or without the node: prefix", () => {
    expect(nodeBuiltin<typeof path>('node:path')?.join).toBe(path.join);
    expect(nodeBuiltin<typeof path>('path')?.join).toBe(path.join);
  });

  it('is undefined for a module that is not built in', () => {
    expect(nodeBuiltin('node:no-such-module')).toBeUndefined();
    expect(nodeBuiltin('vitest')).toBeUndefined();
  });
});

describe('nodeBuiltin outside Node 20.16+', () => {
  it('is undefined without process.getBuiltinModule or without process (browsers)', () => {
    const saved = globalThis.process;
    const results: unknown[] = [];
    try {
      for (const stand of [{}, undefined]) {
        (globalThis as { process?: unknown }).process = stand;
        results.push(nodeBuiltin('node:path'));
      }
    } finally {
      globalThis.process = saved;
    }
    expect(results).toEqual([undefined, undefined]);
  });
});
