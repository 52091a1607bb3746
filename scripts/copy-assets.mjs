// tsc emits only what it compiles; plain-JS helpers that run as their own processes
// (the watchdog, pool workers' bootstrap, ...) are copied beside their compiled neighbours.
import { cpSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ASSET = /\.(cjs|mjs|c)$/;

function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (ASSET.test(name)) cpSync(path, join("dist", relative("src", path)));
  }
}

copyAssets("src");
