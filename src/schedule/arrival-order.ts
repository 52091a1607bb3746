import type { QueuedJob } from "./policy.js";

/** The queue by priority, highest first, and in arrival order within a priority (the queue itself when no job has a priority). */
export function byPriority(queue: readonly QueuedJob[]): readonly QueuedJob[] {
  if (queue.every((job) => (job.priority ?? 0) === 0)) return queue;
  return [...queue].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.seq - b.seq);
}
