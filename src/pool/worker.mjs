// Worker thread entry. Plain JavaScript so that Node 20 can start it both from the TypeScript
// sources (tests) and from dist/ (the build copies it beside the compiled pool).
//
// It imports the handlers module, numbers its exported functions in export-name order from
// FIRST_HANDLER_ID (as MPOP numbers its handlers from 0x1000), tells the main thread the names,
// and enters the task loop.

import { workerData } from "node:worker_threads";
import { encodeThrown } from "./worker-errors.mjs";
import { runWorker } from "./worker-loop.mjs";

const { port, handlers, layout } = workerData;

/** @type {Function[] | undefined} */
let fns;
/** @type {string[]} */
let names = [];
try {
  const module = await import(handlers);
  // A module namespace lists its exports sorted by name, so every worker assigns the same ids.
  names = Object.keys(module).filter((name) => typeof module[name] === "function");
  if (names.length === 0) throw new Error(`the handlers module ${handlers} exports no functions`);
  fns = names.map((name) => module[name]);
} catch (error) {
  port.postMessage({ type: "failed", error: encodeThrown(error, layout.payload) });
}

if (fns !== undefined) {
  port.postMessage({ type: "ready", names });
  runWorker({ ...workerData, fns });
}
