import type { RunningJob } from "../cluster/types.js";
import { formatMemory } from "../spec/memory.js";
import { formatDuration } from "./format.js";

/** What the live display shows, read afresh on every redraw. */
export interface LiveState {
  total: number;
  ended: number;
  failed: number;
  running: RunningJob[];
  /** Memory the run holds and may hold, in MB. */
  memoryMb: number;
  budgetMb: number;
}

/** Running jobs listed under the bar, at most. */
const JOBS_SHOWN = 6;
const REDRAW_MS = 250;
const BAR_WIDTH = 24;

/**
 * A multi-line progress display for a terminal: a bar with counts and ETA, then the running
 * jobs with their current and peak memory. It redraws in place; `clear()` takes it off the
 * screen so that job output can be printed, and the next redraw puts it back under it.
 */
export class LiveDisplay {
  readonly #started = performance.now();
  #lines = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly state: () => LiveState,
  ) {}

  start(): void {
    this.#timer = setInterval(() => this.render(), REDRAW_MS);
    this.#timer.unref();
    this.render();
  }

  render(): void {
    const lines = this.#compose(this.state());
    this.clear();
    this.stream.write(`${lines.join("\n")}\n`);
    this.#lines = lines.length;
  }

  clear(): void {
    if (this.#lines === 0) return;
    this.stream.moveCursor(0, -this.#lines);
    this.stream.clearScreenDown();
    this.#lines = 0;
  }

  /** Draws the final state once more, and leaves it on the screen. */
  stop(): void {
    clearInterval(this.#timer);
    this.render();
    this.#lines = 0;
  }

  #compose(s: LiveState): string[] {
    const columns = this.stream.columns ?? 100;
    const share = s.total > 0 ? s.ended / s.total : 1;
    const filled = Math.round(share * BAR_WIDTH);
    const elapsed = (performance.now() - this.#started) / 1000;
    const eta =
      s.ended > 0 && s.ended < s.total
        ? `ETA ${formatDuration((elapsed / s.ended) * (s.total - s.ended))}`
        : "ETA -";
    const head =
      `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ${s.ended}/${s.total} ${(share * 100).toFixed(0)}% ` +
      `${eta} | ${s.running.length} running, ${s.failed} failed | mem ${formatMemory(s.memoryMb)} of ${formatMemory(s.budgetMb)}`;
    const lines = [head];
    const byAge = [...s.running].sort((a, b) => a.startTime - b.startTime);
    for (const job of byAge.slice(0, JOBS_SHOWN)) {
      const state = job.suspended ? " suspended" : "";
      lines.push(
        `  ${job.id.padEnd(12)} ${formatDuration(job.elapsed).padStart(7)} ${formatMemory(job.memoryCurrent).padStart(6)} ` +
          `(peak ${formatMemory(job.memoryPeak)})${state}  ${job.command}`,
      );
    }
    if (byAge.length > JOBS_SHOWN) lines.push(`  ... and ${byAge.length - JOBS_SHOWN} more`);
    return lines.map((line) => (line.length > columns ? `${line.slice(0, columns - 1)}…` : line));
  }
}
