/**
 * Small /bin/sh scripts that run between fork and exec: joining cgroups, and building a
 * pipeline with real pipes (Node's stdio "pipe" is a socketpair, which gives an upstream stage
 * "Connection reset by peer" where a shell pipeline gives SIGPIPE).
 */

/** Quotes one argument for sh: every byte but NUL survives. */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/** Writes the shell's pid into each `cgroup.procs`, so that everything it runs is charged to the job. */
export function joinCgroupsScript(joinFiles: readonly string[]): string {
  return joinFiles
    .map(
      (f) =>
        `echo $$ 2>/dev/null > ${shellQuote(f)} || { echo "mpmsub: cannot join cgroup ${f}" >&2; exit 125; }; `,
    )
    .join("");
}

/**
 * A pipeline of argv stages. Descriptors the shell must be given:
 *   1 the last stage's stdout, 2 the last stage's stderr,
 *   3 .. n+1 the stderr of stages 1 .. n-1, n+2 where each stage's exit status is written
 *   as "index status" lines ($?, which is 128+N for a stage killed by signal N).
 */
export function pipelineScript(stages: readonly (readonly string[])[]): string {
  const n = stages.length;
  const statusFd = n + 2;
  const extraFds = Array.from({ length: n }, (_, i) => i + 3);
  return stages
    .map((argv, i) => {
      const stderr = i === n - 1 ? "" : ` 2>&${i + 3}`;
      // The command gets none of our bookkeeping descriptors, so none can hold them open.
      const closes = extraFds.map((fd) => ` ${fd}>&-`).join("");
      return `{ ${argv.map(shellQuote).join(" ")}${stderr}${closes}; echo "${i} $?" >&${statusFd}; }`;
    })
    .join(" | ");
}

/** Parses the status lines of {@link pipelineScript}. */
export function parseStageStatuses(text: string, stages: number): (number | undefined)[] {
  const statuses: (number | undefined)[] = Array.from({ length: stages }, () => undefined);
  for (const line of text.split("\n")) {
    const [index, status] = line.trim().split(" ").map(Number);
    if (index !== undefined && status !== undefined && index >= 0 && index < stages) statuses[index] = status;
  }
  return statuses;
}
