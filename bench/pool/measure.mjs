// One measurement in a fresh process: `node measure.mjs <variant> <task> <count> <mode>`, where
// mode is "throughput" (at most WINDOW tasks in flight, a promise per task) or "latency" (one
// task at a time). Prints one JSON line: tasks, wall ms, tasks/s, CPU µs per task (all threads
// of this process, from process.cpuUsage), or for latency µs per round trip.

import { Worker } from "node:worker_threads";
import { createPool } from "../../dist/pool/index.js";
import { medium, noop, small } from "./tasks.mjs";

const WORKERS = 2;
const WINDOW = 4096;
const LATENCY_WARMUP = 5000;
const TASKS = new URL("./tasks.mjs", import.meta.url);

const [variant, task, countText, mode] = process.argv.slice(2);
const fn = { noop, small, medium }[task];
const count = Number(countText);

/** Each variant: start() resolves with { call(x) → Promise, map?(array) → Promise, stop() }. */
const variants = {
  async mpmsub() {
    const pool = createPool({ handlers: TASKS, workers: WORKERS });
    await pool.ready();
    return {
      call: (x) => pool.exec(task, x),
      map: (values) => pool.map(task, values),
      stop: () => pool.close(),
    };
  },
  async piscina() {
    const { Piscina } = await import("piscina");
    const pool = new Piscina({ filename: TASKS.href, minThreads: WORKERS, maxThreads: WORKERS });
    return { call: (x) => pool.run(x, { name: task }), stop: () => pool.destroy() };
  },
  async tinypool() {
    const { Tinypool } = await import("tinypool");
    const pool = new Tinypool({ filename: TASKS.href, minThreads: WORKERS, maxThreads: WORKERS });
    return { call: (x) => pool.run(x, { name: task }), stop: () => pool.destroy() };
  },
  async workerpool() {
    const { default: workerpool } = await import("workerpool");
    const script = new URL("./workerpool-worker.mjs", import.meta.url);
    const pool = workerpool.pool(script.pathname, {
      minWorkers: WORKERS,
      maxWorkers: WORKERS,
      workerType: "thread",
    });
    return { call: (x) => pool.exec(task, [x]), stop: () => pool.terminate() };
  },
  async worker_threads() {
    const workers = Array.from(
      { length: WORKERS },
      () => new Worker(new URL("./raw-worker.mjs", import.meta.url)),
    );
    const pending = new Map();
    for (const worker of workers) {
      worker.on("message", ([id, result]) => {
        pending.get(id)(result);
        pending.delete(id);
      });
    }
    let next = 0;
    return {
      call: (x) =>
        new Promise((resolve) => {
          const id = next++;
          pending.set(id, resolve);
          workers[id % WORKERS].postMessage([id, task, x]);
        }),
      stop: () => Promise.all(workers.map((worker) => worker.terminate())),
    };
  },
  async inline() {
    return { call: async (x) => fn(x), stop: async () => {} };
  },
};

/** Keeps at most WINDOW calls in flight until `n` have finished. */
function throughput(call, n) {
  return new Promise((resolve, reject) => {
    let next = 0;
    let done = 0;
    const onDone = () => {
      if (++done === n) resolve();
      else if (next < n) call(next++).then(onDone, reject);
    };
    while (next < Math.min(WINDOW, n)) call(next++).then(onDone, reject);
  });
}

/** The inline loop: a plain loop on this thread, the single-thread limit. */
function inlineLoop(n) {
  let sink = 0;
  for (let x = 0; x < n; x++) sink ^= fn(x);
  return sink;
}

async function verify(runner) {
  for (const x of [0, 1, 12_345]) {
    const result = await runner.call(x);
    if (result !== fn(x)) throw new Error(`${variant} returned ${result} for ${task}(${x})`);
  }
}

async function main() {
  const isMap = variant === "mpmsub-map";
  const runner = await variants[isMap ? "mpmsub" : variant]();
  await verify(runner);
  const warmup = Math.max(1, Math.floor(count / 10));
  const input = Float64Array.from({ length: count }, (_, k) => k);
  let timed;
  if (mode === "latency") {
    for (let x = 0; x < LATENCY_WARMUP; x++) await runner.call(x);
    timed = async () => {
      for (let x = 0; x < count; x++) await runner.call(x);
    };
  } else if (isMap) {
    await runner.map(input.subarray(0, warmup));
    timed = () => runner.map(input);
  } else if (variant === "inline") {
    inlineLoop(warmup);
    timed = async () => inlineLoop(count);
  } else {
    await throughput(runner.call, warmup);
    timed = () => throughput(runner.call, count);
  }
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await timed();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await runner.stop();
  const cpuUsPerTask = (cpu.user + cpu.system) / count;
  process.stdout.write(
    `${JSON.stringify({ variant, task, mode, count, ms, rate: (count / ms) * 1000, cpuUsPerTask, usPerTask: (ms * 1000) / count })}\n`,
  );
}

await main();
