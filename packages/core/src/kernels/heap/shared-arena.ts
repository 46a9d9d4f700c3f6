// Blocks of the kernel threads' shared memory, and which tensors already have a copy there. tfjs's
// heap is not shared, so a threaded kernel's inputs are copied into the threads' memory; a tensor that
// is read by consecutive threaded calls (dy by each phase of a transposed convolution, a packed filter
// by every call between two optimizer updates, a convolution's output by the batch-norm statistics
// that follow it) is copied once and kept ("resident"). A resident copy belongs to a tfjs dataId and
// is valid only while the backend maps that dataId to the same record, the rule of the packed-panel
// cache (packed-panels.ts): tfjs tensors are immutable, a rewritten tensor gets a new record and a
// disposed one none, so a stale copy is never read. Stale copies are freed and the least recently
// used ones evicted over the budget when a call begins, never during one, so a call's own blocks stay.

/** What a resident copy is of: the tensor's own floats ('data') or a packed form of them. */
export interface ResidentKey {
  dataId: object;
  /** The backend record's id now (see packed-panels.ts). */
  recordId: number;
  tag: string;
}

interface Block {
  at: number;
  bytes: number;
}

interface Resident extends Block {
  dataId: object;
  recordId: number;
  tag: string;
  lastUse: number;
}

export interface SharedArenaOptions {
  /** Bytes of resident copies kept at most. Default 128 MiB. */
  budgetBytes: number;
}

export const DEFAULT_SHARED_ARENA_OPTIONS: Readonly<SharedArenaOptions> = Object.freeze({
  budgetBytes: 128 * 1024 * 1024,
});

const PAGE = 65536;
const ALIGN = 16;

export class SharedArena {
  /** Every block handed out (resident or not), sorted by offset. */
  private readonly blocks: Block[] = [];
  private readonly residents: Resident[] = [];
  private clock = 0;
  private readonly options: Readonly<SharedArenaOptions>;

  /**
   * @param start first byte the arena may use (below it: the threads' stacks)
   * @param recordOf the backend's record id of a dataId now, undefined once it is gone
   */
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly start: number,
    private readonly recordOf: (dataId: object) => number | undefined,
    options: Partial<SharedArenaOptions> = {},
  ) {
    this.options = { ...DEFAULT_SHARED_ARENA_OPTIONS, ...options };
  }

  /** Frees stale copies, then the least recently used ones over the budget. Call as a threaded call begins. */
  beginCall(): void {
    for (const r of [...this.residents]) if (this.recordOf(r.dataId) !== r.recordId) this.dropResident(r);
    let total = this.residentBytes();
    while (total > this.options.budgetBytes && this.residents.length) {
      const oldest = this.residents.reduce((a, b) => (b.lastUse < a.lastUse ? b : a));
      total -= oldest.bytes;
      this.dropResident(oldest);
    }
  }

  /** Byte offset of a valid resident copy of `key`, or null. */
  find(key: ResidentKey): number | null {
    const hit = this.residents.find(
      (r) => r.dataId === key.dataId && r.tag === key.tag && r.recordId === key.recordId,
    );
    if (!hit) return null;
    hit.lastUse = ++this.clock;
    return hit.at;
  }

  /** A 16-byte aligned block of `bytes` (first fit, else at the end, growing the memory). */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let at = this.start;
    let index = 0;
    for (; index < this.blocks.length; index++) {
      const b = this.blocks[index]!;
      if (b.at - at >= size) break;
      at = b.at + b.bytes;
    }
    const need = at + size - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / PAGE));
    this.blocks.splice(index, 0, { at, bytes: size });
    return at;
  }

  /** Returns a block that is not resident. */
  free(at: number): void {
    const index = this.blocks.findIndex((b) => b.at === at);
    if (index < 0) throw new Error(`SharedArena: no block at ${at}`);
    if (this.residents.some((r) => r.at === at))
      throw new Error(`SharedArena: the block at ${at} is resident`);
    this.blocks.splice(index, 1);
  }

  /** Keeps the block at `at` (from alloc, holding the floats of `key`) as `key`'s resident copy. */
  keep(at: number, key: ResidentKey): void {
    const block = this.blocks.find((b) => b.at === at);
    if (!block) throw new Error(`SharedArena: no block at ${at}`);
    const old = this.residents.find((r) => r.dataId === key.dataId && r.tag === key.tag);
    if (old) this.dropResident(old);
    this.residents.push({ ...block, ...key, lastUse: ++this.clock });
  }

  /** Bytes of the block at `at` (0 if there is none). */
  bytesAt(at: number): number {
    return this.blocks.find((b) => b.at === at)?.bytes ?? 0;
  }

  /** Bytes of resident copies, and their number (for tests and reports). */
  stats(): { bytes: number; residents: number; blocks: number } {
    return { bytes: this.residentBytes(), residents: this.residents.length, blocks: this.blocks.length };
  }

  private residentBytes(): number {
    return this.residents.reduce((sum, r) => sum + r.bytes, 0);
  }

  private dropResident(r: Resident): void {
    this.residents.splice(this.residents.indexOf(r), 1);
    this.free(r.at);
  }
}
