import { describe, expect, it } from 'vitest';
import { PackedPanelCache, type PackingBackend, packedPanelBytes } from './packed-panels.js';

/** A backend of records and a malloc that counts what is live (no WASM needed). */
function fakeBackend() {
  const records = new Map<object, { id: number; memoryOffset: number }>();
  const live = new Map<number, number>();
  let next = 8;
  let ids = 1;
  const backend: PackingBackend = {
    dataIdMap: { has: (d) => records.has(d), get: (d) => records.get(d) },
    wasm: {
      _malloc: (bytes) => {
        const at = next;
        next += bytes + 8;
        live.set(at, bytes);
        return at;
      },
      _free: (at) => {
        if (!live.delete(at)) throw new Error(`double free at ${at}`);
      },
      HEAPU8: new Uint8Array(0),
    },
  };
  const tensor = () => {
    const dataId = {};
    records.set(dataId, { id: ids++, memoryOffset: 0 });
    return dataId;
  };
  const rewrite = (dataId: object) => records.set(dataId, { id: ids++, memoryOffset: 0 });
  const dispose = (dataId: object) => records.delete(dataId);
  return {
    backend,
    tensor,
    rewrite,
    dispose,
    liveBytes: () => [...live.values()].reduce((a, b) => a + b, 0),
  };
}

describe('PackedPanelCache', () => {
  const request = (dataId: object, packs: number[], layout: 'rows' | 'transposed' = 'rows') => ({
    dataId,
    layout,
    K: 10,
    co: 12,
    pack: (at: number) => packs.push(at),
  });

  it('packs once per tensor and layout, and again after tfjs rewrites or reuses the dataId', () => {
    const f = fakeBackend();
    const cache = new PackedPanelCache(f.backend);
    const w = f.tensor();
    const packs: number[] = [];
    const at = cache.panels(request(w, packs));
    expect(cache.panels(request(w, packs))).toBe(at);
    expect(packs).toHaveLength(1);
    cache.panels(request(w, packs, 'transposed'));
    expect(packs).toHaveLength(2);
    f.rewrite(w);
    cache.panels(request(w, packs));
    expect(packs).toHaveLength(3);
    expect(cache.stats().entries).toBe(1); // the stale ones were freed by the insertion's sweep
    expect(f.liveBytes()).toBe(packedPanelBytes(10, 12));
  });

  it('frees the entries of disposed tensors, and everything on dispose', () => {
    const f = fakeBackend();
    const cache = new PackedPanelCache(f.backend);
    const [a, b] = [f.tensor(), f.tensor()];
    cache.panels(request(a, []));
    cache.panels(request(b, []));
    f.dispose(a);
    cache.sweep();
    expect(cache.stats()).toEqual({ bytes: packedPanelBytes(10, 12), entries: 1 });
    cache.dispose();
    expect(cache.stats()).toEqual({ bytes: 0, entries: 0 });
    expect(f.liveBytes()).toBe(0);
  });

  it('stays within its byte budget, dropping the least recently used first', () => {
    const f = fakeBackend();
    const one = packedPanelBytes(10, 12);
    const cache = new PackedPanelCache(f.backend, { budgetBytes: 2 * one });
    const [a, b, c] = [f.tensor(), f.tensor(), f.tensor()];
    const packs: number[] = [];
    cache.panels(request(a, packs));
    cache.panels(request(b, packs));
    cache.panels(request(a, packs)); // a is now the most recent
    cache.panels(request(c, packs)); // evicts b
    expect(cache.stats().bytes).toBe(2 * one);
    cache.panels(request(a, packs));
    expect(packs).toHaveLength(3);
    cache.panels(request(b, packs));
    expect(packs).toHaveLength(4);
    expect(f.liveBytes()).toBeLessThanOrEqual(2 * one);
  });

  it('refuses a tensor the backend does not hold', () => {
    const f = fakeBackend();
    expect(() => new PackedPanelCache(f.backend).panels(request({}, []))).toThrow(/not on this backend/);
  });
});
