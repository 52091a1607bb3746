import { fifoBackfill } from "../../src/schedule/fifo-backfill.js";
import { toIncremental } from "../../src/schedule/incremental.js";
import { PackingPolicy } from "../../src/schedule/packing-policy.js";
import type { IncrementalPolicy, Resources } from "../../src/schedule/policy.js";
import { strictFifo } from "../../src/schedule/strict-fifo.js";

/** A policy under test, made fresh for each run. */
export interface Contender {
  name: string;
  label: string;
  make(capacity: Resources): IncrementalPolicy;
}

export const CONTENDERS: readonly Contender[] = [
  { name: "packing", label: "packing (ours)", make: (capacity) => new PackingPolicy(capacity) },
  {
    name: "fifo-first-fit",
    label: "FIFO first-fit (Python mpmsub)",
    make: () => toIncremental(fifoBackfill({ reserve: false })),
  },
  { name: "strict-fifo", label: "strict FIFO", make: () => toIncremental(strictFifo()) },
  {
    name: "fifo-backfill",
    label: "FIFO + reservation (current default)",
    make: () => toIncremental(fifoBackfill()),
  },
];
