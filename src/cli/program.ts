import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { EXIT } from "./exit-codes.js";
import { duration, halt, memoryOrAuto, memorySize, retryOn, wholeNumber } from "./flags.js";
import { profileCommand } from "./profile-command.js";
import { reportCommand } from "./report-command.js";
import { runCommand } from "./run-command.js";

const VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

const RUN_EXAMPLES = `
Examples:
  $ mpmsub run jobs.yaml                          # YAML/JSON with defaults: and jobs:
  $ mpmsub run -M 16G -m 2G cmds.txt              # one shell command per line, 2 GB each
  $ mpmsub run -m 2G -- gzip -9 {} ::: *.txt      # a template, GNU parallel style
  $ ls *.fq | mpmsub run -p 4 -m 8G -- align {} ref.fa
  $ mpmsub run --resume jobs.yaml                 # after a crash: run only what did not finish
  $ mpmsub run --dry-run -M 64G jobs.yaml         # the predicted schedule, nothing run

Exit codes: 0 all jobs completed, 1 some did not, 2 bad input or usage (nothing ran),
130 interrupted (running jobs stopped, journal written).`;

/**
 * The `mpmsub` command line. Splits the arguments at the first `--` itself: what follows is a
 * command template whose words must reach the jobs untouched, not options for mpmsub.
 */
export function program(): Command {
  const root = new Command("mpmsub")
    .description("Run many jobs on one machine without running out of memory.")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(add --help for the options)")
    .exitOverride();

  root
    .command("run")
    .description("run the jobs of a file, of stdin (-), or of a command template after --")
    .argument("[file]", "job file: YAML, JSON, JSON Lines or one shell command per line; - for stdin")
    .option(
      "-P, --cpus <n>",
      "CPU cores the jobs may use together (default: the usable CPUs)",
      wholeNumber(1),
    )
    .option("-M, --memory <size>", "memory the jobs may use together (default: 90% of available)", memorySize)
    .option("-p, --job-cpus <n>", "cores of each job that does not say", wholeNumber(1))
    .option(
      "-m, --job-memory <size>",
      'memory of each job that does not say, or "auto" (from history)',
      memoryOrAuto,
    )
    .option("--memory-floor <size>", "free memory the run never eats into (default: 5% or 1G)", memorySize)
    .option("--timeout <duration>", "time limit of each job that does not say: 90, 90s, 5m, 1.5h", duration)
    .option("--retries <n>", "run a failed job again up to n times", wholeNumber(0))
    .option(
      "--retry-on <reasons>",
      "failures worth a retry (default with --retries: oom,timeout,failed)",
      retryOn,
    )
    .option("--halt <when>", "stop after failures: now|soon,fail=N or now|soon,fail=P%", halt)
    .addOption(
      new Option("--policy <name>", "scheduling policy").choices([
        "packing",
        "fifo-backfill",
        "first-fit",
        "strict-fifo",
      ]),
    )
    .addOption(formatOption())
    .option("--journal <file>", "journal of finished jobs (default: beside the job file)")
    .option("--no-journal", "keep no journal")
    .option("--resume", "skip the jobs the journal has as finished")
    .option("--resume-failed", "skip only the jobs the journal has as completed: run the failed ones again")
    .option("--dry-run", "print the predicted schedule and run nothing")
    .option("--json", "print one JSON document of the results on stdout, and nothing else there")
    .option("--no-progress", "no progress display")
    .option("--quiet", "no progress display and no summary")
    .option("--tag", "prefix each line of a job's output with its id")
    .option("--keep-order", "print jobs' output in input order")
    .addOption(
      new Option("--output <mode>", "jobs' output: group (whole, when each ends) or none")
        .choices(["group", "none"])
        .default("group"),
    )
    .option("--results <dir>", "keep each job's output in <dir>/<id>/stdout and stderr")
    .option("--history <file>", "history file of earlier runs (default: ~/.cache/mpmsub/history.jsonl)")
    .option("--no-history", "keep no history")
    .addHelpText("after", RUN_EXAMPLES)
    .action(async (file: string | undefined, flags, command: Command) => {
      const template = (command.parent as Command & { templateArgs?: string[] }).templateArgs;
      command.setOptionValue("exitCode", await runCommand(file, template, flags));
    });

  root
    .command("profile")
    .description("run the jobs of a file one at a time, measure them, and recommend p and m for each")
    .argument("<file>", "job file")
    .option("--write", "write the recommended p and m (peak x 1.2) back into the file")
    .addOption(formatOption())
    .option("--json", "print the measurements as JSON")
    .addHelpText("after", "\nExample:\n  $ mpmsub profile --write jobs.yaml")
    .action(async (file: string, flags, command: Command) => {
      command.setOptionValue("exitCode", await profileCommand(file, flags));
    });

  root
    .command("report")
    .description("summarise a journal: of a finished run, or of one that was interrupted")
    .argument("<journal>", "journal file")
    .option("--json", "print the summary as JSON")
    .addHelpText("after", "\nExample:\n  $ mpmsub report jobs.yaml.journal.jsonl")
    .action((journal: string, flags, command: Command) => {
      command.setOptionValue("exitCode", reportCommand(journal, flags));
    });

  return root;
}

function formatOption(): Option {
  return new Option("--format <format>", "job file format when it cannot be told").choices([
    "yaml",
    "json",
    "jsonl",
    "text",
  ]);
}

/** Runs the command line and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const split = argv.indexOf("--");
  const own = split < 0 ? [...argv] : argv.slice(0, split);
  const root = program() as Command & { templateArgs?: string[] };
  root.templateArgs = split < 0 ? undefined : argv.slice(split + 1);
  try {
    await root.parseAsync(own, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; every usage error with 2.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    throw error;
  }
  for (const command of root.commands) {
    const code = command.getOptionValue("exitCode") as number | undefined;
    if (code !== undefined) return code;
  }
  root.outputHelp();
  return EXIT.badInput;
}
