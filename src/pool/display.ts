// The optional live status table (the `display` option), redrawn in place on stderr like
// MPOP's supervisor screen. Only used when stderr is a terminal.

import type { PoolStatus } from "./status.js";

const REDRAW_MS = 200;

export class StatusDisplay {
  private drawnLines = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly read: () => PoolStatus,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  /** Draws the final state once more and stops. */
  stop(): void {
    clearInterval(this.timer);
    this.draw();
  }

  private draw(): void {
    const lines = renderStatus(this.read());
    // Back to the first line of the previous drawing, then clear everything below it.
    const rewind = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[J` : "";
    this.stream.write(`${rewind}${lines.join("\n")}\n`);
    this.drawnLines = lines.length;
  }
}

export function renderStatus(status: PoolStatus): string[] {
  const { totals } = status;
  const lines = [
    `pool  queue ${status.occupied}/${status.capacity} in use, ${status.queued} queued, ${status.waiting} waiting` +
      `  |  done ${totals.done}  failed ${totals.failed}  retried ${totals.retried}` +
      `  timed out ${totals.timedOut}  respawned ${totals.respawned}  recycled ${totals.recycled}`,
  ];
  for (const worker of status.workers) {
    lines.push(
      `  #${String(worker.index).padEnd(3)} ${worker.state.padEnd(9)} ${(worker.task ?? "").padEnd(16)}` +
        ` tasks ${String(worker.tasksDone).padStart(9)}  heap ${worker.heapMB.toFixed(1).padStart(7)} MB`,
    );
  }
  return lines;
}
