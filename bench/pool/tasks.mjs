// The benchmark's tasks, the same as in research/performance.md: an integer LCG run for a
// fixed number of steps, so the work cannot be optimised away and does not allocate.

function lcg(seed, steps) {
  let x = seed | 0;
  for (let i = 0; i < steps; i++) x = (Math.imul(x, 1664525) + 1013904223) | 0;
  return x;
}

/** Returns its argument: measures nothing but the pool. */
export function noop(x) {
  return x;
}

/** About 10 µs. */
export function small(x) {
  return lcg(x, 9200);
}

/** About 1 ms. */
export function medium(x) {
  return lcg(x, 920_000);
}
