import type { MemoryView } from "../measure/system.js";
import { type PressureDecision, type PressureSettings, respondToPressure } from "../schedule/pressure.js";

/** A running job as the monitor samples it. */
export interface SampledJob {
  id: string;
  startedAt: number;
  cpus: number;
  currentBytes: number;
  declaredBytes: number | undefined;
  suspended: boolean;
  suspendedAt: number | undefined;
}

/** One sample of memory, as the `pressure` event reports it. */
export interface PressureSample {
  availableBytes: number;
  jobsBytes: number;
  headroomBytes: number;
}

/** Weight of the newest growth rate in the smoothed one: the latest samples dominate, one noisy sample does not. */
const GROWTH_SMOOTHING = 0.5;

/**
 * Watches memory on every sample and asks the pressure policy what to do. It keeps what the
 * pure policy needs from one sample to the next: each job's growth rate, and whether starts
 * are held (with the time spent holding).
 */
export class PressureMonitor {
  readonly #growth = new Map<string, { bytes: number; at: number; rate: number }>();
  #holding = false;
  #holdSince = 0;
  holds = 0;
  holdMs = 0;

  constructor(
    private readonly settings: PressureSettings,
    private readonly floorBytes: number,
    private readonly budgetBytes: number,
  ) {}

  /** Whether new jobs must wait for memory. */
  get holding(): boolean {
    return this.#holding;
  }

  /** Takes one sample and decides; `changed` reports a hold starting or ending. */
  evaluate(
    now: number,
    view: MemoryView,
    jobs: readonly SampledJob[],
  ): { decision: PressureDecision; sample: PressureSample; holdChanged: boolean } {
    const jobsBytes = jobs.reduce((sum, j) => sum + j.currentBytes, 0);
    const running = jobs.map((j) => ({ ...j, ...this.#rate(j, now) }));
    for (const id of this.#growth.keys()) if (!jobs.some((j) => j.id === id)) this.#growth.delete(id);

    const decision = respondToPressure({
      now,
      availableBytes: view.availableBytes,
      floorBytes: this.floorBytes,
      budgetBytes: this.budgetBytes,
      running,
      settings: this.settings,
    });
    const holdChanged = decision.holdStarts !== this.#holding;
    if (holdChanged) {
      this.#holding = decision.holdStarts;
      if (this.#holding) {
        this.holds++;
        this.#holdSince = now;
      } else {
        this.holdMs += now - this.#holdSince;
      }
    }
    return {
      decision,
      sample: { availableBytes: view.availableBytes, jobsBytes, headroomBytes: decision.headroom },
      holdChanged,
    };
  }

  /** Ends the monitoring of a run: a hold still on is counted up to now. */
  finish(now: number): void {
    if (this.#holding) this.holdMs += now - this.#holdSince;
    this.#holding = false;
  }

  /** The job's smoothed growth rate, and whether it grew since the last sample. */
  #rate(job: SampledJob, now: number): { growth: number; growingNow: boolean } {
    const last = this.#growth.get(job.id);
    if (!last) {
      this.#growth.set(job.id, { bytes: job.currentBytes, at: now, rate: 0 });
      return { growth: 0, growingNow: false };
    }
    const dt = (now - last.at) / 1000;
    if (dt <= 0) return { growth: last.rate, growingNow: false };
    const instant = Math.max(0, (job.currentBytes - last.bytes) / dt);
    const rate = GROWTH_SMOOTHING * instant + (1 - GROWTH_SMOOTHING) * last.rate;
    this.#growth.set(job.id, { bytes: job.currentBytes, at: now, rate });
    // Smoothing forgets a spike slowly but learns one slowly too: growth that starts now counts at once.
    return { growth: Math.max(rate, instant), growingNow: instant > 0 };
  }
}
