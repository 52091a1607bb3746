/**
 * The graded response to memory pressure, as a pure function of one sample. Two headrooms are
 * watched, and the smaller rules:
 *  - the machine's: available memory - the floor; every job's growth eats into it;
 *  - the budget's: m - what running jobs hold, each counted at max(declared, measured), since
 *    the budget is a promise about real use; only growth beyond a job's declaration eats into it.
 * Growth is projected a quarter of a second ahead, so the response comes before the line is crossed:
 *
 *  1. hold:    projected headroom below the margin: start no more jobs;
 *  2. suspend: projected headroom below zero: stop the youngest growing jobs (SIGSTOP), as
 *              many as their growth requires, always leaving one running;
 *  3. requeue: still short after suspending, while memory is still falling (a job grew in the
 *              latest sample) or the line is all but crossed (headroom within a quarter of the
 *              margin): stop the jobs whose loss wastes
 *              least work, suspended ones first (they hold memory and do nothing), until the
 *              projection fits, and put them back in the queue with their measured peak as their
 *              memory, so each returns only when it fits. The last job running is never stopped.
 *              A projection alone never stops a job: a shortfall that is only foreseen, with
 *              nothing growing, is left to the suspensions.
 * Suspended jobs resume, oldest first and one per sample, once projected headroom is above twice
 * the margin and the job has been stopped for half a second (so that a job does not flap between
 * stopped and running), and at once when no job is left running: a run never stands still with
 * every job stopped.
 */

/** A running job as the pressure response sees it. */
export interface PressureJob {
  id: string;
  /** Epoch ms. */
  startedAt: number;
  cpus: number;
  /** Resident bytes now. */
  currentBytes: number;
  /** Bytes it declared, or undefined. */
  declaredBytes: number | undefined;
  /** Bytes per second its memory grew over the last samples, smoothed (0 if shrinking). */
  growth: number;
  /** Whether it grew in the latest sample: memory is still falling now, not only on average. */
  growingNow: boolean;
  suspended: boolean;
  /** Epoch ms it was suspended at, while it is. */
  suspendedAt?: number;
}

/** Which steps are on, and how much headroom to keep before acting. */
export interface PressureSettings {
  hold: boolean;
  suspend: boolean;
  requeue: boolean;
  /** Headroom, in bytes, below which starts are held and above which suspended jobs resume. */
  marginBytes: number;
}

export interface PressureInput {
  /** Epoch ms, given by the caller. */
  now: number;
  availableBytes: number;
  floorBytes: number;
  /** The cluster's m. */
  budgetBytes: number;
  running: readonly PressureJob[];
  settings: PressureSettings;
}

/** How hard the run is pressed, from none to the strongest step taken. */
export type PressureLevel = "ok" | "hold" | "suspend" | "requeue";

export interface PressureDecision {
  level: PressureLevel;
  holdStarts: boolean;
  /** The smaller headroom now, in bytes. */
  headroom: number;
  suspend: string[];
  resume: string[];
  requeue: string[];
}

/** Share of the margin kept as a guard band: headroom below it counts as the line crossed. */
export const GUARD_SHARE = 0.25;

/** Least memory, in bytes, stopping a job must give back to be worth the work it loses. */
export const MIN_RELIEF_BYTES = 16 * 1024 * 1024;

/** Least time a suspended job stays stopped, unless no other job runs. */
export const RESUME_AFTER_MS = 500;

/** How far ahead, in seconds, growth is projected: a few samples, to act before the floor is crossed. */
export const LOOKAHEAD_S = 0.25;

/** Slack over a declaration before a job counts as over it: the process's own overhead, not its data. */
const DECLARATION_SLACK = { share: 0.01, bytes: 4 * 1024 * 1024 };

/** Bytes a job will add to each headroom over the lookahead. */
function projectedGrowth(job: PressureJob): { machine: number; budget: number } {
  if (job.suspended) return { machine: 0, budget: 0 };
  const machine = job.growth * LOOKAHEAD_S;
  // Growth up to the declaration was paid for at admission.
  const declared = job.declaredBytes ?? 0;
  const overDeclaration =
    job.currentBytes > declared * (1 + DECLARATION_SLACK.share) + DECLARATION_SLACK.bytes;
  return { machine, budget: declared === 0 || overDeclaration ? machine : 0 };
}

/** Bytes a job gives back to each headroom when it is stopped. */
function freedBy(job: PressureJob): { machine: number; budget: number } {
  return { machine: job.currentBytes, budget: Math.max(job.declaredBytes ?? 0, job.currentBytes) };
}

export function respondToPressure(input: PressureInput): PressureDecision {
  const { running, settings, now } = input;
  const held = running.reduce((sum, j) => sum + Math.max(j.declaredBytes ?? 0, j.currentBytes), 0);
  const machineHeadroom = input.availableBytes - input.floorBytes;
  const budgetHeadroom = input.budgetBytes - held;
  const headroom = Math.min(machineHeadroom, budgetHeadroom);

  let machineProjected = machineHeadroom;
  let budgetProjected = budgetHeadroom;
  for (const job of running) {
    const g = projectedGrowth(job);
    machineProjected -= g.machine;
    budgetProjected -= g.budget;
  }
  const projected = () => Math.min(machineProjected, budgetProjected);

  const decision: PressureDecision = {
    level: "ok",
    holdStarts: settings.hold && projected() < settings.marginBytes,
    headroom,
    suspend: [],
    resume: [],
    requeue: [],
  };
  if (decision.holdStarts) decision.level = "hold";

  const lostWork = (j: PressureJob) => (now - j.startedAt) * j.cpus;
  const youngestFirst = [...running].sort((a, b) => lostWork(a) - lostWork(b));

  if (projected() < 0) {
    const active = youngestFirst.filter((j) => !j.suspended);
    if (settings.suspend) {
      // Stop growth where it loses least work, until what still grows fits, keeping one job going.
      for (const job of active.slice(0, -1)) {
        if (projected() >= 0) break;
        const g = projectedGrowth(job);
        // Only growth into the headroom that is short is worth stopping.
        const helps = (machineProjected < 0 && g.machine > 0) || (budgetProjected < 0 && g.budget > 0);
        if (!helps) continue;
        decision.suspend.push(job.id);
        machineProjected += g.machine;
        budgetProjected += g.budget;
      }
      if (decision.suspend.length > 0) decision.level = "suspend";
    }
    // A stopped job frees its memory only once it has exited, while others may still be
    // growing: act a little before the line, not on it.
    const crossed = headroom < settings.marginBytes * GUARD_SHARE;
    const stillFalling = active.some((j) => !decision.suspend.includes(j.id) && j.growingNow);
    if (settings.requeue && projected() < 0 && (crossed || stillFalling) && running.length > 1) {
      // Suspended jobs hold memory and do nothing: they go first, youngest first; the oldest
      // job still running is never stopped.
      const keep = active.filter((j) => !decision.suspend.includes(j.id)).at(-1) ?? youngestFirst.at(-1);
      const victims = [
        ...youngestFirst.filter((j) => j.suspended || decision.suspend.includes(j.id)),
        ...youngestFirst.filter((j) => !j.suspended && !decision.suspend.includes(j.id)),
      ].filter((j) => j !== keep);
      for (const victim of victims) {
        // On a projection alone, one job per sample: growth measured in bursts overshoots.
        if (projected() >= 0 || (!crossed && decision.requeue.length > 0)) break;
        const freed = freedBy(victim);
        // A job suspended in this decision has had its growth taken off already.
        const g = decision.suspend.includes(victim.id) ? { machine: 0, budget: 0 } : projectedGrowth(victim);
        // A job that has barely started holds too little to be worth stopping.
        const relief = machineProjected < 0 ? freed.machine + g.machine : freed.budget + g.budget;
        if (relief < MIN_RELIEF_BYTES) continue;
        machineProjected += freed.machine + g.machine;
        budgetProjected += freed.budget + g.budget;
        decision.requeue.push(victim.id);
      }
      decision.suspend = decision.suspend.filter((id) => !decision.requeue.includes(id));
      if (decision.requeue.length > 0) decision.level = "requeue";
    }
  }
  const oldestSuspended = [...youngestFirst]
    .reverse()
    .find((j) => j.suspended && !decision.requeue.includes(j.id));
  const stillRunning = running.some((j) => !j.suspended && !decision.requeue.includes(j.id));
  const rested = oldestSuspended !== undefined && now - (oldestSuspended.suspendedAt ?? 0) >= RESUME_AFTER_MS;
  const roomy = projected() > 2 * settings.marginBytes && decision.suspend.length === 0;
  if (oldestSuspended && (!stillRunning || (roomy && rested))) decision.resume.push(oldestSuspended.id);
  return decision;
}
