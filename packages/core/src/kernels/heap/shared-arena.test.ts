import { describe, expect, it } from 'vitest';
import { SharedArena } from './shared-arena.js';

/** An arena over a plain memory, with a record table the test rewrites as tfjs would. */
function arena(budgetBytes = 1 << 20) {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 64 });
  const records = new Map<object, number>();
  const a = new SharedArena(memory, 1024, (id) => records.get(id), { budgetBytes });
  return { a, memory, records };
}

describe('SharedArena: blocks of the kernel threads memory and resident copies', () => {
  it('hands out aligned, disjoint blocks, reuses freed gaps and grows the memory', () => {
    const { a, memory } = arena();
    const b1 = a.alloc(10);
    const b2 = a.alloc(100);
    const b3 = a.alloc(3);
    expect([b1, b2, b3].every((at) => at % 16 === 0 && at >= 1024)).toBe(true);
    expect(b2).toBeGreaterThanOrEqual(b1 + 10);
    expect(b3).toBeGreaterThanOrEqual(b2 + 100);
    a.free(b2);
    expect(a.alloc(50)).toBe(b2); // first fit in the freed gap
    expect(() => a.free(12345)).toThrow(/no block at 12345/);
    const big = a.alloc(200_000); // past the single initial page
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 200_000);
  });

  it('finds a resident copy only under the same dataId, tag and record', () => {
    const { a, records } = arena();
    const id = {};
    records.set(id, 7);
    const at = a.alloc(64);
    a.keep(at, { dataId: id, recordId: 7, tag: 'data' });
    expect(a.find({ dataId: id, recordId: 7, tag: 'data' })).toBe(at);
    expect(a.find({ dataId: id, recordId: 7, tag: 'packed' })).toBeNull();
    expect(a.find({ dataId: {}, recordId: 7, tag: 'data' })).toBeNull();
    expect(a.find({ dataId: id, recordId: 8, tag: 'data' })).toBeNull(); // rewritten since
    expect(() => a.free(at)).toThrow(/is resident/);
  });

  it('frees copies of rewritten or disposed tensors when a call begins', () => {
    const { a, records } = arena();
    const [rewritten, disposed, kept] = [{}, {}, {}];
    records.set(rewritten, 1).set(disposed, 2).set(kept, 3);
    for (const [id, r] of [
      [rewritten, 1],
      [disposed, 2],
      [kept, 3],
    ] as const)
      a.keep(a.alloc(32), { dataId: id, recordId: r, tag: 'data' });
    expect(a.stats()).toEqual({ bytes: 96, residents: 3, blocks: 3 });
    records.set(rewritten, 9);
    records.delete(disposed);
    a.beginCall();
    expect(a.stats()).toEqual({ bytes: 32, residents: 1, blocks: 1 });
    expect(a.find({ dataId: kept, recordId: 3, tag: 'data' })).not.toBeNull();
  });

  it('evicts the least recently used copies over the budget, at the start of a call only', () => {
    const { a, records } = arena(100);
    const ids = [{}, {}, {}];
    ids.forEach((id, i) => {
      records.set(id, i);
      a.keep(a.alloc(48), { dataId: id, recordId: i, tag: 'data' });
    });
    expect(a.stats().bytes).toBe(144); // over the budget within a call: nothing evicted yet
    a.find({ dataId: ids[0]!, recordId: 0, tag: 'data' }); // used again: now the newest
    a.beginCall();
    expect(a.stats().bytes).toBe(96);
    expect(a.find({ dataId: ids[1]!, recordId: 1, tag: 'data' })).toBeNull();
    expect(a.find({ dataId: ids[0]!, recordId: 0, tag: 'data' })).not.toBeNull();
    expect(a.find({ dataId: ids[2]!, recordId: 2, tag: 'data' })).not.toBeNull();
  });

  it('a new copy under the same key replaces the old one', () => {
    const { a, records } = arena();
    const id = {};
    records.set(id, 1);
    a.keep(a.alloc(16), { dataId: id, recordId: 1, tag: 'data' });
    const second = a.alloc(16);
    a.keep(second, { dataId: id, recordId: 1, tag: 'data' });
    expect(a.stats()).toEqual({ bytes: 16, residents: 1, blocks: 1 });
    expect(a.find({ dataId: id, recordId: 1, tag: 'data' })).toBe(second);
  });
});
