import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobResult } from "../index.js";

/** How jobs' own output reaches the user. */
export interface OutputMode {
  /** `group`: each job's output printed whole when it ends; `none`: nothing printed. */
  kind: "group" | "none";
  /** Prefix every line with the job's id and a tab. */
  tag: boolean;
  /** Print in input order rather than in the order jobs end. */
  keepOrder: boolean;
  /** Keep each job's streams in DIR/<id>/stdout and DIR/<id>/stderr. */
  resultsDir: string | undefined;
}

/** Bytes read at a time when copying a job's output: output of any size costs this much memory. */
const CHUNK = 64 * 1024;

/**
 * Collects each job's stdout and stderr in files (so that a job printing gigabytes costs no
 * memory and its output is never interleaved with another's) and prints them whole when the
 * job ends, like GNU parallel's default grouping.
 */
export class JobOutput {
  readonly #dir: string;
  readonly #temporary: boolean;
  readonly #ended = new Map<string, JobResult | null>();
  #next = 0;

  /**
   * @param order job ids in input order
   * @param beforePrint called before anything is printed (a live display clears itself)
   */
  constructor(
    private readonly mode: OutputMode,
    private readonly order: readonly string[],
    private readonly beforePrint: () => void = () => {},
  ) {
    this.#temporary = mode.resultsDir === undefined;
    this.#dir = mode.resultsDir ?? mkdtempSync(join(tmpdir(), "mpmsub-output-"));
    mkdirSync(this.#dir, { recursive: true });
  }

  /** Where a job's streams go; undefined when they go nowhere (`--output none` without `--results`). */
  filesFor(id: string): { stdout: string; stderr: string } | undefined {
    if (this.mode.kind === "none" && this.#temporary) return { stdout: "/dev/null", stderr: "/dev/null" };
    if (this.#temporary)
      return { stdout: join(this.#dir, `${id}.stdout`), stderr: join(this.#dir, `${id}.stderr`) };
    const dir = join(this.#dir, id);
    mkdirSync(dir, { recursive: true });
    return { stdout: join(dir, "stdout"), stderr: join(dir, "stderr") };
  }

  /** A job ended: print its output now, or, in input order, once every job before it has. */
  ended(result: JobResult): void {
    this.#ended.set(result.id, result);
    if (!this.mode.keepOrder) {
      this.#print(result.id);
      return;
    }
    while (this.#next < this.order.length && this.#ended.has(this.order[this.#next] as string)) {
      this.#print(this.order[this.#next] as string);
      this.#next++;
    }
  }

  /** The run is over: print, in order, what waited for jobs that never ended; remove temporary files. */
  finish(): void {
    if (this.mode.keepOrder) {
      for (; this.#next < this.order.length; this.#next++) {
        const id = this.order[this.#next] as string;
        if (this.#ended.has(id)) this.#print(id);
      }
    }
    if (this.#temporary) rmSync(this.#dir, { recursive: true, force: true });
  }

  #print(id: string): void {
    if (this.mode.kind === "none") return;
    const files = this.#temporary
      ? { stdout: join(this.#dir, `${id}.stdout`), stderr: join(this.#dir, `${id}.stderr`) }
      : { stdout: join(this.#dir, id, "stdout"), stderr: join(this.#dir, id, "stderr") };
    this.beforePrint();
    copy(files.stdout, process.stdout, this.mode.tag ? id : undefined);
    copy(files.stderr, process.stderr, this.mode.tag ? id : undefined);
    if (this.#temporary) {
      rmSync(files.stdout, { force: true });
      rmSync(files.stderr, { force: true });
    }
  }
}

/** Copies a file to a stream in chunks, prefixing each line with `tag` and a tab when given. */
function copy(path: string, stream: NodeJS.WriteStream, tag: string | undefined): void {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return; // the job never started, so it wrote nothing
  }
  try {
    const buffer = Buffer.alloc(CHUNK);
    let atLineStart = true;
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
      const chunk = buffer.subarray(0, n);
      if (!tag) {
        stream.write(Buffer.from(chunk));
        continue;
      }
      let text = chunk.toString("latin1");
      text = (atLineStart ? `${tag}\t` : "") + text.replace(/\n(?!$)/g, `\n${tag}\t`);
      atLineStart = text.endsWith("\n");
      stream.write(Buffer.from(text, "latin1"));
    }
    if (tag && !atLineStart) stream.write("\n");
  } finally {
    closeSync(fd);
  }
}
