/**
 * Keeps the last `limit` bytes written to it, so that a job printing gigabytes costs us at most
 * `limit` bytes of memory per stream, and says how much was dropped.
 */
export class TailBuffer {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #dropped = 0;

  constructor(readonly limit: number) {}

  push(chunk: Buffer): void {
    if (chunk.length >= this.limit) {
      this.#dropped += this.#size + chunk.length - this.limit;
      this.#chunks.length = 0;
      this.#chunks.push(chunk.subarray(chunk.length - this.limit));
      this.#size = this.limit;
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size > this.limit) {
      const first = this.#chunks[0] as Buffer;
      const excess = this.#size - this.limit;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#size -= first.length;
        this.#dropped += first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#size -= excess;
        this.#dropped += excess;
      }
    }
  }

  /** Bytes dropped from the front so far. */
  get dropped(): number {
    return this.#dropped;
  }

  toString(): string {
    const text = Buffer.concat(this.#chunks).toString("utf8");
    return this.#dropped > 0 ? `[mpmsub: ${this.#dropped} earlier bytes dropped]\n${text}` : text;
  }
}
