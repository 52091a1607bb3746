import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * The parent's side of the watchdog (see watchdog.cjs): registers what must die if this
 * process dies without cleaning up. One watchdog serves every cluster in the process.
 */
export class Watchdog {
  readonly #child: ChildProcess;

  constructor() {
    this.#child = spawn(process.execPath, [fileURLToPath(new URL("./watchdog.cjs", import.meta.url))], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    this.#child.on("error", () => {});
    this.#child.stdin?.on("error", () => {});
    // The watchdog must not keep this process alive, nor be waited for.
    this.#child.unref();
    (this.#child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  trackGroups(pgids: readonly number[]): void {
    for (const pgid of pgids) this.#send(`g+ ${pgid}`);
  }

  forgetGroups(pgids: readonly number[]): void {
    for (const pgid of pgids) this.#send(`g- ${pgid}`);
  }

  trackCgroups(dirs: readonly string[]): void {
    for (const dir of dirs) this.#send(`c+ ${dir}`);
  }

  forgetCgroups(dirs: readonly string[]): void {
    for (const dir of dirs) this.#send(`c- ${dir}`);
  }

  #send(line: string): void {
    this.#child.stdin?.write(`${line}\n`);
  }
}

let shared: Watchdog | undefined;

/** The process's watchdog, started on first use. */
export function watchdog(): Watchdog {
  shared ??= new Watchdog();
  return shared;
}
