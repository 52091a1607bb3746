import { readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** Where this process sits in the cgroup hierarchies: a directory per v1 controller, and the v2 one. */
export interface OwnCgroups {
  /** Directory of this process's cgroup, per v1 controller (`memory`, `cpuacct`, `freezer`, ...). */
  v1: Map<string, string>;
  /** Directory of this process's cgroup in the unified (v2) hierarchy, if mounted. */
  v2: string | undefined;
}

interface Mount {
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

// /proc/self/mountinfo: "id parent major:minor root mountpoint options [optional...] - fstype source superoptions"
function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [fsType, , superOptions = ""] = right.split(" ");
    const root = fields[3];
    const mountPoint = fields[4];
    if (!fsType || root === undefined || mountPoint === undefined) continue;
    mounts.push({
      root: unescapeOctal(root),
      mountPoint: unescapeOctal(mountPoint),
      fsType,
      superOptions: superOptions.split(","),
    });
  }
  return mounts;
}

// mountinfo escapes space, tab, newline and backslash as octal.
function unescapeOctal(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/**
 * Finds this process's cgroup directories from /proc/self/cgroup and /proc/self/mountinfo.
 * Handles mounts of a sub-tree (containers), where the path in /proc/self/cgroup is relative to
 * the hierarchy's root and the mount shows only part of it.
 */
export function findOwnCgroups(
  procSelfCgroup = "/proc/self/cgroup",
  procSelfMountinfo = "/proc/self/mountinfo",
): OwnCgroups {
  const result: OwnCgroups = { v1: new Map(), v2: undefined };
  let cgroupText: string;
  let mountText: string;
  try {
    cgroupText = readFileSync(procSelfCgroup, "utf8");
    mountText = readFileSync(procSelfMountinfo, "utf8");
  } catch {
    return result;
  }
  const mounts = parseMountinfo(mountText);
  for (const line of cgroupText.split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, , controllerList = "", path = "/"] = match;
    if (controllerList === "") {
      const mount = mounts.find((m) => m.fsType === "cgroup2");
      if (mount) result.v2 = locate(mount, path);
      continue;
    }
    const controllers = controllerList.split(",");
    const mount = mounts.find(
      (m) => m.fsType === "cgroup" && controllers.every((c) => m.superOptions.includes(c)),
    );
    if (!mount) continue;
    const dir = locate(mount, path);
    if (dir) for (const c of controllers) result.v1.set(c, dir);
  }
  return result;
}

function locate(mount: Mount, path: string): string | undefined {
  const inside = relative(mount.root, path);
  if (inside.startsWith("..")) return undefined;
  return join(mount.mountPoint, inside);
}
