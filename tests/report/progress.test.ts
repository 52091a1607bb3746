import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgress } from "../../src/report/progress.js";

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(stream, {
    isTTY,
    columns: 200,
    text: () => text,
    cursorTo: (_x: number, _y?: number, cb?: () => void) => {
      cb?.();
      return true;
    },
    clearLine: (_dir: number, cb?: () => void) => {
      cb?.();
      return true;
    },
    moveCursor: (_dx: number, _dy: number, cb?: () => void) => {
      cb?.();
      return true;
    },
  });
  return stream;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("progress display", () => {
  it("draws a bar with counts, ETA, running jobs and memory on a terminal", () => {
    const stream = fakeStream(true);
    const progress = createProgress(stream);
    progress.update({ total: 3, ended: 1, failed: 0, running: 2, memoryMb: 1536 });
    progress.stop({ total: 3, ended: 3, failed: 1, running: 0, memoryMb: 0 });
    const text = stream.text();
    expect(text).toMatch(/3\/3 jobs \| 100% \| ETA \S+ \| 0 running \| 1 failed \| 0M/);
  });

  it("writes a plain line every 10 s when stderr is not a terminal, and nothing for a short run", () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const quiet = fakeStream(false);
    const short = createProgress(quiet);
    short.update({ total: 2, ended: 1, failed: 0, running: 1, memoryMb: 10 });
    short.stop({ total: 2, ended: 2, failed: 0, running: 0, memoryMb: 0 });
    expect(quiet.text()).toBe("");

    const stream = fakeStream(false);
    const progress = createProgress(stream);
    vi.advanceTimersByTime(11_000);
    progress.update({ total: 4, ended: 1, failed: 1, running: 2, memoryMb: 2048 });
    progress.update({ total: 4, ended: 2, failed: 1, running: 2, memoryMb: 2048 });
    vi.advanceTimersByTime(11_000);
    progress.stop({ total: 4, ended: 4, failed: 1, running: 0, memoryMb: 0 });
    const lines = stream.text().trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^mpmsub: 1\/4 jobs ended \(25.0%\), ETA 33.0s, 2 running, 1 failed, 2.0G held, 11.0s elapsed$/,
    );
    expect(lines[1]).toMatch(
      /^mpmsub: 4\/4 jobs ended \(100.0%\), 0 running, 1 failed, 0M held, 22.0s elapsed$/,
    );
  });
});
