import cliProgress from "cli-progress";
import { formatMemory } from "../spec/memory.js";
import { formatDuration } from "./format.js";

/** What a progress display shows. */
export interface ProgressSnapshot {
  /** Jobs of this run: ended, running and waiting. */
  total: number;
  ended: number;
  failed: number;
  running: number;
  /** Memory held by running jobs, in MB. */
  memoryMb: number;
}

/** Shows a run's progress on stderr. */
export interface ProgressDisplay {
  update(snapshot: ProgressSnapshot): void;
  stop(snapshot: ProgressSnapshot): void;
}

/** Seconds between plain progress lines when stderr is not a terminal (a log file, CI). */
const LINE_INTERVAL_S = 10;

/** A bar with ETA on a terminal, plain periodic lines otherwise. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  return stream.isTTY ? new BarDisplay(stream) : new LineDisplay(stream);
}

class BarDisplay implements ProgressDisplay {
  readonly #bar: cliProgress.SingleBar;
  #started = false;

  constructor(stream: NodeJS.WriteStream) {
    this.#bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          "{bar} {value}/{total} jobs | {percentage}% | ETA {eta_formatted} | {running} running | {failed} failed | {memory}",
        hideCursor: true,
        etaBuffer: 20,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(s: ProgressSnapshot): void {
    const payload = { running: s.running, failed: s.failed, memory: formatMemory(s.memoryMb) };
    if (!this.#started) {
      this.#bar.start(s.total, s.ended, payload);
      this.#started = true;
    } else {
      if (this.#bar.getTotal() !== s.total) this.#bar.setTotal(s.total);
      this.#bar.update(s.ended, payload);
    }
  }

  stop(s: ProgressSnapshot): void {
    this.update(s);
    this.#bar.stop();
  }
}

class LineDisplay implements ProgressDisplay {
  readonly #start = performance.now();
  #lastLine = this.#start;
  #printed = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(s: ProgressSnapshot): void {
    const now = performance.now();
    if (now - this.#lastLine < LINE_INTERVAL_S * 1000) return;
    this.#lastLine = now;
    this.#write(s, now);
  }

  stop(s: ProgressSnapshot): void {
    // A short run prints nothing; a long one ends with a last line after its periodic ones.
    if (this.#printed) this.#write(s, performance.now());
  }

  #write(s: ProgressSnapshot, now: number): void {
    this.#printed = true;
    const elapsed = (now - this.#start) / 1000;
    const eta =
      s.ended > 0 && s.ended < s.total
        ? ` ETA ${formatDuration((elapsed / s.ended) * (s.total - s.ended))},`
        : "";
    const percent = s.total > 0 ? ((100 * s.ended) / s.total).toFixed(1) : "100.0";
    this.stream.write(
      `mpmsub: ${s.ended}/${s.total} jobs ended (${percent}%),${eta} ${s.running} running, ${s.failed} failed, ` +
        `${formatMemory(s.memoryMb)} held, ${formatDuration(elapsed)} elapsed\n`,
    );
  }
}
