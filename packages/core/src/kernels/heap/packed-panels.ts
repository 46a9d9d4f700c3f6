// Packed filters (kernels/heap.c's panels of 8 output channels) kept per weight tensor, so that a
// convolution or matrix product against the same weight packs it once and not on every call (the
// forward and backward passes of one step, and every batch between two optimizer updates).
// An entry belongs to a tfjs dataId and is valid only while the backend still maps that dataId to the
// same record: tfjs gives a rewritten tensor (backend.move) a new record and a disposed one none, and an
// optimizer update assigns a variable a new dataId, so a stale entry is never read. Entries whose
// dataId is gone are freed at the next insertion; the total stays under a byte budget (least recently
// used first out). The packed floats live in the backend's heap, outside tfjs's bookkeeping.

/** The parts of the wasm backend the cache reads (typed loosely: not part of tfjs-core's types). */
export interface PackingBackend {
  dataIdMap: {
    has(dataId: object): boolean;
    get(dataId: object): { id: number; memoryOffset: number } | undefined;
  };
  wasm: { _malloc(bytes: number): number; _free(at: number): void; HEAPU8: Uint8Array };
}

/** How the weight is laid out: [K, co] row-major (pack_panels) or transposed, [co, K] (pack_panels_t). */
export type PanelLayout = 'rows' | 'transposed';

export interface PanelRequest {
  dataId: object;
  layout: PanelLayout;
  /** Reduction length and output columns of the product. */
  K: number;
  co: number;
  /** Fills `bytes` bytes at byte offset `at` with the packed panels. */
  pack(at: number): void;
}

interface Entry {
  /** The backend record's id when packed (a rewrite or a reuse of the dataId changes it). */
  recordId: number;
  layout: PanelLayout;
  K: number;
  co: number;
  at: number;
  bytes: number;
  lastUse: number;
}

export interface PackedPanelOptions {
  /** Bytes of packed panels kept at most. Default 64 MiB. */
  budgetBytes: number;
}

export const DEFAULT_PACKED_PANEL_OPTIONS: Readonly<PackedPanelOptions> = Object.freeze({
  budgetBytes: 64 * 1024 * 1024,
});

/** Bytes of a filter of K rows and co columns packed in panels of 8 columns. */
export const packedPanelBytes = (K: number, co: number) => Math.ceil(co / 8) * 8 * K * 4;

export class PackedPanelCache {
  private readonly entries = new Map<object, Entry[]>();
  private clock = 0;
  private total = 0;
  private readonly options: Readonly<PackedPanelOptions>;

  constructor(
    private readonly backend: PackingBackend,
    options: Partial<PackedPanelOptions> = {},
  ) {
    this.options = { ...DEFAULT_PACKED_PANEL_OPTIONS, ...options };
  }

  /** Byte offset of the packed panels of the request's tensor, packing them unless a valid copy exists. */
  panels(req: PanelRequest): number {
    const record = this.record(req.dataId);
    if (!record) throw new Error('PackedPanelCache: the tensor to pack is not on this backend');
    const list = this.entries.get(req.dataId)?.filter((e) => this.isValid(e, record.id)) ?? [];
    const hit = list.find((e) => e.layout === req.layout && e.K === req.K && e.co === req.co);
    if (hit) {
      hit.lastUse = ++this.clock;
      return hit.at;
    }
    this.sweep();
    const bytes = packedPanelBytes(req.K, req.co);
    this.makeRoom(bytes);
    const at = this.backend.wasm._malloc(bytes) >>> 0;
    req.pack(at);
    const entry: Entry = {
      recordId: record.id,
      layout: req.layout,
      K: req.K,
      co: req.co,
      at,
      bytes,
      lastUse: ++this.clock,
    };
    this.entries.set(req.dataId, [...(this.entries.get(req.dataId) ?? []), entry]);
    this.total += bytes;
    return at;
  }

  /** Bytes held, and the number of packed tensors (for tests and reports). */
  stats(): { bytes: number; entries: number } {
    let entries = 0;
    for (const list of this.entries.values()) entries += list.length;
    return { bytes: this.total, entries };
  }

  /** Frees the entries of tensors that tfjs disposed of or rewrote since they were packed. */
  sweep(): void {
    for (const [dataId, list] of this.entries) {
      const record = this.record(dataId);
      const kept = list.filter((e) => {
        if (record && this.isValid(e, record.id)) return true;
        this.free(e);
        return false;
      });
      if (kept.length) this.entries.set(dataId, kept);
      else this.entries.delete(dataId);
    }
  }

  /** Frees everything (the runtime that owns the cache is being disposed). */
  dispose(): void {
    for (const list of this.entries.values()) for (const e of list) this.free(e);
    this.entries.clear();
  }

  /** The backend's record of a dataId (has() first: get() of a missing id asks tfjs's engine to move it). */
  private record(dataId: object): { id: number } | undefined {
    return this.backend.dataIdMap.has(dataId) ? this.backend.dataIdMap.get(dataId) : undefined;
  }

  private isValid(e: Entry, recordId: number): boolean {
    return e.recordId === recordId;
  }

  private free(e: Entry): void {
    this.backend.wasm._free(e.at);
    this.total -= e.bytes;
  }

  /** Evicts least recently used entries until `bytes` more fit the budget. */
  private makeRoom(bytes: number): void {
    while (this.total + bytes > this.options.budgetBytes && this.total > 0) {
      let oldest: { dataId: object; e: Entry } | null = null;
      for (const [dataId, list] of this.entries)
        for (const e of list) if (!oldest || e.lastUse < oldest.e.lastUse) oldest = { dataId, e };
      if (!oldest) return;
      this.free(oldest.e);
      const rest = this.entries.get(oldest.dataId)!.filter((e) => e !== oldest.e);
      if (rest.length) this.entries.set(oldest.dataId, rest);
      else this.entries.delete(oldest.dataId);
    }
  }
}
