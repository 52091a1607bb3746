import type { ProcessEntry } from "./process-table.js";

/** A snapshot of the process table with a children index, shared by every job's meter in one tick. */
export class ProcessSnapshot {
  readonly #children = new Map<number, number[]>();

  constructor(readonly table: ReadonlyMap<number, ProcessEntry>) {
    for (const entry of table.values()) {
      const siblings = this.#children.get(entry.ppid);
      if (siblings) siblings.push(entry.pid);
      else this.#children.set(entry.ppid, [entry.pid]);
    }
  }

  /**
   * The processes of a job: its roots, every member of its process groups (which keep their
   * group when re-parented to init), the processes it was already known to have, and all their
   * descendants.
   */
  jobProcesses(
    roots: readonly number[],
    processGroups: ReadonlySet<number>,
    known: ReadonlyMap<number, number>,
  ): ProcessEntry[] {
    const found = new Map<number, ProcessEntry>();
    const stack: number[] = [...roots];
    for (const entry of this.table.values()) {
      if (processGroups.has(entry.pgid)) stack.push(entry.pid);
    }
    for (const [pid, startTicks] of known) {
      if (this.table.get(pid)?.startTicks === startTicks) stack.push(pid);
    }
    while (stack.length > 0) {
      const pid = stack.pop() as number;
      if (found.has(pid)) continue;
      const entry = this.table.get(pid);
      if (!entry) continue;
      found.set(pid, entry);
      for (const child of this.#children.get(pid) ?? []) stack.push(child);
    }
    return [...found.values()];
  }
}
