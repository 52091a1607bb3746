// `npm run demo`: the bundled job file through the command line, under a 1 GB memory budget,
// then the report of its journal. Memory gating shows in the "most declared at once" line: the
// eight 400 MB jobs never run more than two at a time.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const jobs = fileURLToPath(new URL("./demo-jobs.yaml", import.meta.url));
const journal = `${jobs}.journal.jsonl`;
rmSync(journal, { force: true });

const step = (title, args) => {
  console.log(`\n$ mpmsub ${args.join(" ")}   # ${title}`);
  return spawnSync(process.execPath, [cli, ...args], { stdio: "inherit" }).status;
};
step("the predicted schedule, nothing run", ["run", "--dry-run", "-M", "1G", "--no-history", jobs]);
const status = step("run them", ["run", "-M", "1G", "--no-history", jobs]);
step("the journal's report", ["report", journal]);
rmSync(journal, { force: true });
process.exitCode = status ?? 1;
