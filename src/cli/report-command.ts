import { type JournalJob, readJournal } from "../report/journal.js";
import { summaryTables } from "../report/summary-table.js";
import { EXIT } from "./exit-codes.js";

/**
 * `mpmsub report JOURNAL`: the summary of the run a journal records, finished or cut short
 * (the last line of each job counts). Exits 0 when every job completed, 1 otherwise.
 */
export function reportCommand(path: string, flags: { json?: boolean }): number {
  let contents: ReturnType<typeof readJournal>;
  try {
    contents = readJournal(path);
  } catch (error) {
    process.stderr.write(
      `mpmsub: cannot read the journal ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
    );
    return EXIT.badInput;
  }
  const jobs: JournalJob[] = [...contents.latest.values()];
  const lastRun = contents.runs.at(-1);
  const firstStart = contents.runs[0]?.startedAt ?? Math.min(...jobs.map((j) => j.startTime ?? j.endTime));
  const lastEnd = Math.max(contents.ends.at(-1)?.endedAt ?? 0, ...jobs.map((j) => j.endTime));
  const wallSeconds = Number.isFinite(firstStart) && lastEnd > 0 ? (lastEnd - firstStart) / 1000 : 0;
  // A run whose last start has no end line after it was killed.
  const lastEndLine = contents.ends.at(-1);
  const finished =
    lastRun !== undefined && lastEndLine !== undefined && lastEndLine.endedAt >= lastRun.startedAt;
  const interrupted = finished
    ? (lastEndLine?.interrupted ?? null)
    : lastRun
      ? "killed before it ended"
      : null;

  if (flags.json) {
    const byStatus: Record<string, number> = {};
    for (const j of jobs) byStatus[j.status] = (byStatus[j.status] ?? 0) + 1;
    const document = {
      command: "report",
      journal: path,
      runs: contents.runs.length,
      interrupted,
      wallSeconds,
      byStatus,
      skippedLines: contents.skipped,
      jobs,
    };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    process.stdout.write(
      summaryTables(
        { wallSeconds, cpus: lastRun?.cpus, memoryMb: lastRun?.memoryMb, interrupted, journal: path },
        jobs,
      ),
    );
    if (contents.skipped > 0) process.stdout.write(`(${contents.skipped} unreadable lines skipped)\n`);
  }
  return jobs.every((j) => j.status === "completed") ? EXIT.ok : EXIT.someFailed;
}
