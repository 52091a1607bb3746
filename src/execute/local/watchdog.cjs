// The watchdog: a small process that outlives mpmsub if mpmsub is killed (even with kill -9)
// and then kills the jobs mpmsub left running. mpmsub holds the write end of this process's
// stdin; the kernel closes it when mpmsub dies, however it dies, and EOF is the signal to act.
//
// Commands, one per line:  "g+ PGID" / "g- PGID"   a process group to kill / forget
//                          "c+ DIR"  / "c- DIR"    a cgroup to empty and remove / forget
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const groups = new Set();
const cgroups = new Set();
let pending = "";

// Ctrl-C reaches the whole foreground process group; the watchdog acts only on EOF.
process.on("SIGINT", () => {});
process.on("SIGHUP", () => {});

process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  pending += chunk;
  for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
    command(pending.slice(0, end));
    pending = pending.slice(end + 1);
  }
});
process.stdin.on("end", cleanUp);
process.stdin.on("error", cleanUp);

function command(line) {
  const arg = line.slice(3);
  if (line.startsWith("g+ ")) groups.add(Number(arg));
  else if (line.startsWith("g- ")) groups.delete(Number(arg));
  else if (line.startsWith("c+ ")) cgroups.add(arg);
  else if (line.startsWith("c- ")) cgroups.delete(arg);
}

function members(dir) {
  try {
    return fs.readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function signalAll(signal) {
  for (const pgid of groups) kill(-pgid, signal);
  for (const dir of cgroups) for (const pid of members(dir)) kill(pid, signal);
}

function kill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

let cleaning = false;
function cleanUp() {
  if (cleaning) return;
  cleaning = true;
  if (groups.size === 0 && cgroups.size === 0) process.exit(0);
  // TERM first so that jobs can remove their temporary files, KILL a second later; CONT
  // lets a job suspended under memory pressure act on the TERM.
  signalAll("SIGTERM");
  signalAll("SIGCONT");
  setTimeout(() => {
    signalAll("SIGKILL");
    removeCgroups(Date.now() + 5000);
  }, 1000);
}

// Deepest directories first: job groups before the run's group that holds them.
function removeCgroups(deadline) {
  const dirs = [...cgroups].sort((a, b) => b.length - a.length);
  let busy = false;
  for (const dir of dirs) {
    try {
      fs.rmdirSync(dir);
      cgroups.delete(dir);
    } catch (error) {
      if (error.code === "ENOENT") cgroups.delete(dir);
      else busy = true;
    }
  }
  if (busy && Date.now() < deadline) {
    signalAll("SIGKILL");
    setTimeout(() => removeCgroups(deadline), 100);
  } else {
    process.exit(0);
  }
}
