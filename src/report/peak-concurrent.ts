/** Something held from `start` to `end`: memory by a running job. */
export interface Holding {
  start: number;
  end: number;
  amount: number;
}

/** The most held at the same time. At one instant an end comes before a start: what one gives back, the next may take. */
export function peakConcurrent(holdings: Iterable<Holding>): number {
  const events: { at: number; delta: number }[] = [];
  for (const h of holdings) events.push({ at: h.start, delta: h.amount }, { at: h.end, delta: -h.amount });
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let held = 0;
  let peak = 0;
  for (const e of events) {
    held += e.delta;
    peak = Math.max(peak, held);
  }
  return peak;
}
