import type { IncrementalPolicy } from "../../src/schedule/policy.js";

/** CPU time of this process (user + system), in µs. */
export function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** A policy that counts the CPU time spent in its calls, apart for adding jobs and for deciding. */
export class TimedPolicy implements IncrementalPolicy {
  addMicros = 0;
  selectMicros = 0;
  adds = 0;
  selects = 0;
  /** CPU time spent adding jobs before the first decision: the initial queue. */
  initialAddMicros = 0;

  constructor(readonly inner: IncrementalPolicy) {}

  get name(): string {
    return this.inner.name;
  }

  get size(): number {
    return this.inner.size;
  }

  add(job: Parameters<IncrementalPolicy["add"]>[0]): void {
    const before = cpuMicros();
    this.inner.add(job);
    this.addMicros += cpuMicros() - before;
    this.adds++;
  }

  remove(id: string): boolean {
    return this.inner.remove(id);
  }

  select(state: Parameters<IncrementalPolicy["select"]>[0]): ReturnType<IncrementalPolicy["select"]> {
    if (this.selects === 0) this.initialAddMicros = this.addMicros;
    const before = cpuMicros();
    const chosen = this.inner.select(state);
    this.selectMicros += cpuMicros() - before;
    this.selects++;
    return chosen;
  }

  reservations(): ReturnType<NonNullable<IncrementalPolicy["reservations"]>> {
    return this.inner.reservations?.() ?? [];
  }
}
