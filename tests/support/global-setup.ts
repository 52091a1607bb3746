// Builds the small C programs the tests use to create exact memory loads.
// The machine's own gcc/cc is used; CI installs nothing else for this.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const BIN_DIR = join(import.meta.dirname, "..", ".bin");

export default function setup(): void {
  mkdirSync(BIN_DIR, { recursive: true });
  execFileSync("cc", [
    "-O2",
    "-o",
    join(BIN_DIR, "alloc"),
    join(import.meta.dirname, "..", "fixtures", "alloc.c"),
  ]);
}
