/** What a ranked set orders and prunes on. */
export interface Ranked {
  /** Rank; lower comes first. */
  readonly order: number;
  /** Arrival; breaks ties in rank, older first. */
  readonly seq: number;
  /** Unique per entry; breaks the remaining ties. */
  readonly serial: number;
  readonly memory: number;
  readonly runtime: number;
}

/** Whether `a` comes before `b`. */
export function precedes(a: Ranked, b: Ranked): boolean {
  if (a.order !== b.order) return a.order < b.order;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return a.serial < b.serial;
}

/** Entries per block after a split; a block splits at twice this. */
const BLOCK = 128;

/** Whether the entry at `i` of a block comes before `key`, reading the entry only on a tie in rank. */
function entryBefore<T extends Ranked>(block: Block<T>, i: number, key: Ranked): boolean {
  const order = block.order[i] as number;
  return order !== key.order ? order < key.order : precedes(block.entries[i] as T, key);
}

/** A run of consecutive entries, with their rank, memory and runtime side by side for fast scans. */
class Block<T extends Ranked> {
  minMemory = Number.POSITIVE_INFINITY;
  minRuntime = Number.POSITIVE_INFINITY;

  constructor(
    readonly entries: T[],
    readonly order: number[],
    readonly memory: number[],
    readonly runtime: number[],
  ) {
    this.recompute();
  }

  static of<T extends Ranked>(entry: T): Block<T> {
    return new Block([entry], [entry.order], [entry.memory], [entry.runtime]);
  }

  recompute(): void {
    let memory = Number.POSITIVE_INFINITY;
    let runtime = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.entries.length; i++) {
      memory = Math.min(memory, this.memory[i] as number);
      runtime = Math.min(runtime, this.runtime[i] as number);
    }
    this.minMemory = memory;
    this.minRuntime = runtime;
  }

  insertAt(i: number, entry: T): void {
    this.entries.splice(i, 0, entry);
    this.order.splice(i, 0, entry.order);
    this.memory.splice(i, 0, entry.memory);
    this.runtime.splice(i, 0, entry.runtime);
    this.minMemory = Math.min(this.minMemory, entry.memory);
    this.minRuntime = Math.min(this.minRuntime, entry.runtime);
  }

  removeAt(i: number): void {
    const memory = this.memory[i];
    const runtime = this.runtime[i];
    this.entries.splice(i, 1);
    this.order.splice(i, 1);
    this.memory.splice(i, 1);
    this.runtime.splice(i, 1);
    if (memory === this.minMemory || runtime === this.minRuntime) this.recompute();
  }

  /** Moves the entries from `i` on into a new block. */
  splitAt(i: number): Block<T> {
    const upper = new Block(
      this.entries.splice(i),
      this.order.splice(i),
      this.memory.splice(i),
      this.runtime.splice(i),
    );
    this.recompute();
    return upper;
  }

  append(other: Block<T>): void {
    this.entries.push(...other.entries);
    this.order.push(...other.order);
    this.memory.push(...other.memory);
    this.runtime.push(...other.runtime);
    this.minMemory = Math.min(this.minMemory, other.minMemory);
    this.minRuntime = Math.min(this.minRuntime, other.minRuntime);
  }

  /** Index of the first entry not before `key`. */
  lowerBound(key: Ranked): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (entryBefore(this, mid, key)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Index of the first entry after `key`. */
  upperBound(key: Ranked): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (entryBefore(this, mid, key) || this.entries[mid] === key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/**
 * Entries in rank order, kept in sorted blocks that know their least memory and runtime, so
 * that "the first entry after X that fits" skips whole blocks that cannot hold one. Blocks
 * keep the entries of a long queue in a few contiguous arrays: inserting or removing moves at
 * most a block's worth of references, and a search reads the blocks' minima in order, then
 * only the blocks it cannot rule out.
 */
export class RankedSet<T extends Ranked> {
  readonly #blocks: Block<T>[] = [];
  /** The rank of each block's last entry, for binary searches that touch no block. */
  readonly #lastOrder: number[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  insert(entry: T): void {
    this.#size++;
    const blocks = this.#blocks;
    if (blocks.length === 0) {
      blocks.push(Block.of(entry));
      this.#lastOrder.push(entry.order);
      return;
    }
    const b = Math.min(this.#blockOf(entry), blocks.length - 1);
    const block = blocks[b] as Block<T>;
    block.insertAt(block.lowerBound(entry), entry);
    if (block.entries.length >= 2 * BLOCK) {
      blocks.splice(b + 1, 0, block.splitAt(BLOCK));
      this.#lastOrder.splice(b + 1, 0, 0);
      this.#syncLast(b + 1);
    }
    this.#syncLast(b);
  }

  /** Removes an entry; false if it is not in the set. */
  remove(entry: T): boolean {
    const blocks = this.#blocks;
    const b = this.#blockOf(entry);
    const block = blocks[b];
    if (!block) return false;
    const i = block.lowerBound(entry);
    if (block.entries[i] !== entry) return false;
    this.#size--;
    block.removeAt(i);
    if (block.entries.length === 0) {
      blocks.splice(b, 1);
      this.#lastOrder.splice(b, 1);
      return true;
    }
    const next = blocks[b + 1];
    if (next && block.entries.length + next.entries.length <= BLOCK) {
      block.append(next);
      blocks.splice(b + 1, 1);
      this.#lastOrder.splice(b + 1, 1);
    }
    this.#syncLast(b);
    return true;
  }

  /** The first entry, or the first after `after` if given. */
  first(after?: Ranked): T | undefined {
    return this.find(always, always, after);
  }

  /** The first `count` entries, in order (fewer if the set is smaller). */
  take(count: number): T[] {
    const taken: T[] = [];
    for (const block of this.#blocks) {
      for (const entry of block.entries) {
        if (taken.length >= count) return taken;
        taken.push(entry);
      }
    }
    return taken;
  }

  /**
   * The first entry (after `after`, if given) that `accept`s, looking only at entries, and
   * blocks, whose (least) memory and runtime `mayHold` admits.
   */
  find(
    mayHold: (memory: number, runtime: number) => boolean,
    accept: (entry: T) => boolean,
    after?: Ranked,
  ): T | undefined {
    const blocks = this.#blocks;
    let b = after === undefined ? 0 : this.#blockAfter(after);
    let i = after === undefined ? 0 : ((blocks[b] as Block<T> | undefined)?.upperBound(after) ?? 0);
    for (; b < blocks.length; b++, i = 0) {
      const block = blocks[b] as Block<T>;
      if (!mayHold(block.minMemory, block.minRuntime)) continue;
      const { entries, memory, runtime } = block;
      for (; i < entries.length; i++) {
        if (mayHold(memory[i] as number, runtime[i] as number) && accept(entries[i] as T)) return entries[i];
      }
    }
    return undefined;
  }

  #syncLast(b: number): void {
    this.#lastOrder[b] = (this.#blocks[b] as Block<T>).order.at(-1) as number;
  }

  /** Whether block `b` ends before `key`. */
  #endsBefore(b: number, key: Ranked): boolean {
    const order = this.#lastOrder[b] as number;
    if (order !== key.order) return order < key.order;
    const block = this.#blocks[b] as Block<T>;
    return precedes(block.entries[block.entries.length - 1] as T, key);
  }

  /** Index of the first block whose last entry is not before `key` (the block count if none). */
  #blockOf(key: Ranked): number {
    let low = 0;
    let high = this.#blocks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#endsBefore(mid, key)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Index of the first block holding an entry after `key`. */
  #blockAfter(key: Ranked): number {
    let low = 0;
    let high = this.#blocks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const block = this.#blocks[mid] as Block<T>;
      const last = block.entries[block.entries.length - 1] as T;
      if (this.#endsBefore(mid, key) || last === key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

const always = (): boolean => true;
