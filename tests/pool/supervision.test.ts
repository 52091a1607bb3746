import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  createPool,
  type Pool,
  PoolClosedError,
  TaskTimeoutError,
  WorkerExitError,
} from "../../src/pool/index.js";

const HANDLERS = new URL("./fixtures/handlers.mjs", import.meta.url);
type Fixtures = typeof import("./fixtures/handlers.mjs");

const scratch = mkdtempSync(join(tmpdir(), "mpmsub-pool-"));
let markers = 0;
const marker = (): string => join(scratch, `marker-${markers++}`);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function withPool(
  options: Partial<Parameters<typeof createPool>[0]>,
  body: (pool: Pool<Fixtures>) => Promise<void>,
): Promise<void> {
  const pool = createPool<Fixtures>({ handlers: HANDLERS, workers: 2, ...options });
  try {
    await pool.ready();
    await body(pool);
  } finally {
    await pool.close({ force: true });
  }
}

describe("errors thrown by tasks", () => {
  it("reject that task with the error, class, code and properties kept, and the pool goes on", () =>
    withPool({}, async (pool) => {
      const error = await pool.exec("fail", "broken").catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(RangeError);
      expect(error).toMatchObject({
        name: "RangeError",
        message: "broken",
        code: "E_TEST",
        detail: { message: "broken" },
      });
      expect((error as Error).stack).toContain("handlers.mjs");
      await expect(pool.exec("failLater", "async")).rejects.toThrow("async");
      await expect(pool.exec("throwString", "plain")).rejects.toBe("plain");
      await expect(pool.exec("returnFunction")).rejects.toThrow(/could not be cloned/);
      const mixed = await Promise.allSettled([1, -2, 3].map((x) => pool.exec("failOnNegative", x)));
      expect(mixed.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(await pool.exec("add", 1, 2)).toBe(3);
      expect(pool.status().totals.respawned).toBe(0);
    }));
});

describe("a worker that dies", () => {
  it("is replaced, and the task it was running is retried", () =>
    withPool({}, async (pool) => {
      const before = pool.status().workers.map((worker) => worker.threadId);
      const others = Array.from({ length: 2000 }, (_, k) => pool.exec("echo", k));
      expect(await pool.exec("exitOnce", marker())).toBe("survived");
      expect(await Promise.all(others)).toEqual(Array.from({ length: 2000 }, (_, k) => k));
      const status = pool.status();
      expect(status.totals.respawned).toBe(1);
      expect(status.totals.retried).toBe(1);
      const after = status.workers.map((worker) => worker.threadId);
      expect(after.filter((id) => !before.includes(id))).toHaveLength(1);
    }));

  it("rejects the task with WorkerExitError once its retries are used up", () =>
    withPool({ retries: 1 }, async (pool) => {
      const error = await pool.exec("exitAlways").catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(WorkerExitError);
      expect(error).toMatchObject({ exitCode: 4, attempts: 2, handler: "exitAlways" });
      expect(pool.status().totals.respawned).toBe(2);
      expect(await pool.exec("echo", "still working")).toBe("still working");
    }));

  it("that runs out of heap under resourceLimits is replaced too", () =>
    withPool({ retries: 0, resourceLimits: { maxOldGenerationSizeMb: 24 } }, async (pool) => {
      const error = await pool.exec("exhaustHeap").catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(WorkerExitError);
      expect((error as WorkerExitError).cause).toMatchObject({ code: "ERR_WORKER_OUT_OF_MEMORY" });
      expect(await pool.exec("square", 12)).toBe(144);
    }));

  it("during map has its unfinished range redone", async () => {
    process.env.POOL_TEST_MARKER = marker();
    try {
      await withPool({}, async (pool) => {
        const input = Float64Array.from({ length: 20_000 }, (_, k) => k);
        const output = await pool.map("exitOnceAt5000", input);
        expect(Array.from(output)).toEqual(Array.from(input, (x) => x + 1));
        expect(pool.status().totals.respawned).toBe(1);
      });
    } finally {
      delete process.env.POOL_TEST_MARKER;
    }
  });
});

describe("the process ending", () => {
  it("ends worker threads that are busy in a task", () => {
    const script = fileURLToPath(new URL("./fixtures/exit-while-busy.mts", import.meta.url));
    // A thread left running would keep the child alive until the timeout kills it (status null).
    const child = spawnSync(process.execPath, ["--import", "tsx", script], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(child.stdout).toBe("busy\n");
    expect(child.status).toBe(0);
  });
});

describe("abort", () => {
  it("cancels a queued task, which then never runs", () =>
    withPool({ workers: 1 }, async (pool) => {
      const blocker = pool.exec("block", 200, "done");
      const path = marker();
      const controller = new AbortController();
      const queued = pool.submit("touch", [path], { signal: controller.signal });
      controller.abort(new Error("not needed"));
      await expect(queued).rejects.toThrow("not needed");
      expect(await blocker).toBe("done");
      expect(await pool.exec("echo", 1)).toBe(1);
      expect(existsSync(path)).toBe(false);
      expect(pool.status().totals.cancelled).toBe(1);
      expect(pool.status().occupied).toBe(0);
    }));

  it("rejects a running task at once; the task runs out and its record is freed after", () =>
    withPool({ workers: 1 }, async (pool) => {
      const controller = new AbortController();
      // A numeric result comes back on the completion ring, in order with the next task's.
      const running = pool.submit("block", [150, 7], { signal: controller.signal });
      while (pool.status().workers[0]?.state !== "running")
        await new Promise((resolve) => setTimeout(resolve, 5));
      expect(pool.status().workers[0]?.task).toBe("block");
      controller.abort();
      await expect(running).rejects.toMatchObject({ name: "AbortError" });
      expect(pool.status().occupied).toBe(1);
      expect(await pool.exec("echo", 2)).toBe(2);
      expect(pool.status().occupied).toBe(0);
    }));

  it("rejects at once for a signal aborted before the call, or while waiting for room", () =>
    withPool({ workers: 1, slots: 2 }, async (pool) => {
      await expect(pool.submit("echo", [1], { signal: AbortSignal.abort() })).rejects.toMatchObject({
        name: "AbortError",
      });
      const blockers = [pool.exec("block", 100, 1), pool.exec("block", 100, 2)];
      const controller = new AbortController();
      const waiting = pool.submit("echo", [3], { signal: controller.signal });
      expect(pool.status().waiting).toBe(1);
      controller.abort();
      await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
      expect(await Promise.all(blockers)).toEqual([1, 2]);
    }));
});

describe("timeouts", () => {
  it("terminate and replace a worker stuck in a task, rejecting only that task", () =>
    withPool({}, async (pool) => {
      const started = performance.now();
      const stuck = pool.submit("block", [30_000, "never"], { timeout: 100 });
      const others = Array.from({ length: 50 }, (_, k) => pool.exec("block", 2, k));
      const error = await stuck.catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(TaskTimeoutError);
      expect(error).toMatchObject({ handler: "block", timeout: 100 });
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(await Promise.all(others)).toEqual(Array.from({ length: 50 }, (_, k) => k));
      expect(pool.status().totals).toMatchObject({ timedOut: 1, respawned: 1 });
    }));

  it("apply the pool's taskTimeout to every task, async ones included", () =>
    withPool({ taskTimeout: 100 }, async (pool) => {
      await expect(pool.exec("block", 30_000, 0)).rejects.toBeInstanceOf(TaskTimeoutError);
      await expect(pool.exec("later", 0, 30_000)).rejects.toBeInstanceOf(TaskTimeoutError);
      expect(await pool.exec("block", 5, "quick")).toBe("quick");
    }));
});

describe("recycling", () => {
  it("replaces a worker after a number of tasks, losing none", () =>
    withPool({ recycleAfter: { tasks: 100 }, batch: 8 }, async (pool) => {
      const inputs = Array.from({ length: 2000 }, (_, k) => k);
      expect(await Promise.all(inputs.map((x) => pool.exec("square", x)))).toEqual(inputs.map((x) => x * x));
      const { totals } = pool.status();
      expect(totals.recycled).toBeGreaterThanOrEqual(10);
      expect(totals.respawned).toBe(0);
      expect(totals.retried).toBe(0);
    }));

  it("replaces a worker whose heap grew past the limit", () =>
    withPool({ workers: 1, recycleAfter: { heapMB: 40 } }, async (pool) => {
      const first = await pool.exec("threadId");
      expect(await pool.exec("retain", 60)).toBe(60);
      // The heap is sampled at least every 100 ms of work and on each idle wake-up.
      for (let k = 0; k < 100 && pool.status().totals.recycled === 0; k++) await pool.exec("block", 20, k);
      expect(pool.status().totals.recycled).toBe(1);
      expect(await pool.exec("threadId")).not.toBe(first);
    }));
});

describe("close", () => {
  it("finishes pending work, then ends every thread and refuses new calls", async () => {
    const pool = createPool<Fixtures>({ handlers: HANDLERS, workers: 2, slots: 64 });
    const calls = Array.from({ length: 40 }, (_, k) => pool.exec("block", 5, k));
    pool.enqueue("echo", "queued");
    const closed = pool.close();
    await expect(pool.exec("echo", 1)).rejects.toBeInstanceOf(PoolClosedError);
    expect(() => pool.enqueue("echo", 1)).toThrow(PoolClosedError);
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 40 }, (_, k) => k));
    await closed;
    expect(pool.status().workers.map((worker) => worker.state)).toEqual(["exited", "exited"]);
    expect(pool.status().totals.done).toBe(41);
  });

  it("with force rejects everything unfinished at once", async () => {
    const pool = createPool<Fixtures>({ handlers: HANDLERS, workers: 1 });
    await pool.ready();
    const outcomes = Promise.allSettled([
      pool.exec("block", 30_000, "never"),
      pool.exec("echo", "never either"),
    ]);
    const started = performance.now();
    await pool.close({ force: true });
    expect(performance.now() - started).toBeLessThan(5_000);
    for (const outcome of await outcomes) {
      expect(outcome).toMatchObject({ status: "rejected", reason: expect.any(PoolClosedError) });
    }
    expect(pool.status().workers[0]?.state).toBe("exited");
  });
});

describe("setup errors", () => {
  it("reject every call when the handlers module cannot be loaded", async () => {
    const pool = createPool({ handlers: join(scratch, "missing.mjs"), workers: 2 });
    const call = pool.exec("echo", 1);
    await expect(pool.ready()).rejects.toThrow(/missing\.mjs/);
    await expect(call).rejects.toThrow(/missing\.mjs/);
    await expect(pool.exec("echo", 2)).rejects.toThrow(/missing\.mjs/);
    await pool.close();
  });

  it("name the option and the value that is wrong", () => {
    expect(() => createPool({ handlers: HANDLERS, slots: 1000 })).toThrow(
      "slots must be a power of two, got 1000",
    );
    expect(() => createPool({ handlers: HANDLERS, workers: 0 })).toThrow("workers must be an integer from 1");
    expect(() => createPool({ handlers: HANDLERS, taskTimeout: -5 })).toThrow(
      "taskTimeout must be a positive",
    );
    expect(() => createPool({ handlers: "" })).toThrow("handlers must be a module path or URL");
  });
});
