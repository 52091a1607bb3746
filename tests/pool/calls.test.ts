import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, type Pool } from "../../src/pool/index.js";

const HANDLERS = new URL("./fixtures/handlers.mjs", import.meta.url);
type Fixtures = typeof import("./fixtures/handlers.mjs");

describe("calls on a shared pool", () => {
  let pool: Pool<Fixtures>;

  beforeAll(async () => {
    pool = createPool<Fixtures>({ handlers: HANDLERS, workers: 2, slots: 256, batch: 16 });
    await pool.ready();
  });

  afterAll(async () => {
    await pool.close();
  });

  it("registers the exported functions by name with ids from 0x1000 in name order", () => {
    const { handlers } = pool.status();
    const names = Object.keys(handlers);
    expect(names).toEqual([...names].sort());
    expect(names).toContain("echo");
    expect(Object.values(handlers)).toEqual(names.map((_, k) => 0x1000 + k));
  });

  it("exec resolves each call with its own result, in order and in value", async () => {
    const inputs = Array.from({ length: 10_000 }, (_, k) => k * 1.5 - 3000);
    const results = await Promise.all(inputs.map((x) => pool.exec("echo", x)));
    expect(results).toEqual(inputs);
  });

  it("keeps results matched to calls for any mix of arguments (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.double({ noNaN: true }), fc.double({ noNaN: true })), {
          minLength: 1,
          maxLength: 600,
        }),
        async (pairs) => {
          const sums = await Promise.all(pairs.map(([a, b]) => pool.exec("add", a, b)));
          expect(sums).toEqual(pairs.map(([a, b]) => a + b));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("passes up to five numbers inline and more through the side channel", async () => {
    expect(await pool.exec("sum")).toBe(0);
    expect(await pool.exec("sum", 1, 2, 3, 4, 5)).toBe(15);
    expect(await pool.exec("sum", 1, 2, 3, 4, 5, 6, 7)).toBe(28);
    expect(await pool.exec("echo", Number.NaN)).toBeNaN();
    expect(await pool.exec("echo", -0)).toBe(-0);
  });

  it("carries strings, objects, buffers and undefined both ways", async () => {
    expect(await pool.exec("upper", "héllo")).toBe("HÉLLO");
    expect(await pool.exec("describe", { a: [1, "b"], c: null })).toEqual({
      type: "object",
      json: '{"a":[1,"b"],"c":null}',
    });
    expect(await pool.exec("echo", "text")).toBe("text");
    expect(await pool.exec("echo", 10n)).toBe(10n);
    expect(await pool.exec("echo", { nested: { deep: [1, 2] } })).toEqual({ nested: { deep: [1, 2] } });
    expect(await pool.exec("byteSum", new Uint8Array([1, 2, 3, 250]))).toBe(256);
    expect(await pool.exec("nothing")).toBeUndefined();
    expect(await pool.exec("echo", null)).toBeNull();
    expect(await pool.exec("echo", true)).toBe(true);
  });

  it("keeps non-numeric results matched to calls when many are in flight", async () => {
    const words = Array.from({ length: 3000 }, (_, k) => `word-${k}`);
    const results = await Promise.all(
      words.map((word, k) => (k % 3 === 0 ? pool.exec("echo", k) : pool.exec("upper", word))),
    );
    expect(results).toEqual(words.map((word, k) => (k % 3 === 0 ? k : word.toUpperCase())));
  });

  it("submit moves transferred buffers to the worker", async () => {
    const bytes = new Uint8Array([5, 6, 7]);
    const result = await pool.submit("byteSum", [bytes], { transfer: [bytes.buffer] });
    expect(result).toBe(18);
    expect(bytes.byteLength).toBe(0);
  });

  it("awaits async handlers", async () => {
    const results = await Promise.all([
      pool.exec("later", 1, 30),
      pool.exec("later", "two", 5),
      pool.exec("echo", 3),
    ]);
    expect(results).toEqual([1, "two", 3]);
  });

  it("queues calls beyond the capacity on the main thread and runs them all", async () => {
    const inputs = Array.from({ length: 5000 }, (_, k) => k);
    const pending = inputs.map((x) => pool.exec("square", x));
    expect(pool.status().waiting).toBeGreaterThan(0);
    expect(await Promise.all(pending)).toEqual(inputs.map((x) => x * x));
  });

  it("spreads long tasks over every worker, also right after many tiny ones", async () => {
    await Promise.all(Array.from({ length: 5000 }, (_, k) => pool.exec("echo", k)));
    const before = pool.status().workers.map((worker) => worker.tasksDone);
    await Promise.all(Array.from({ length: 8 }, (_, k) => pool.exec("block", 40, k)));
    const after = pool.status().workers.map((worker) => worker.tasksDone);
    // One worker taking all eight would leave the other idle for 320 ms.
    for (const [w, done] of after.entries()) expect(done - (before[w] as number)).toBeGreaterThanOrEqual(2);
  });

  it("map runs the handler over every element, in order", async () => {
    const input = Float64Array.from({ length: 100_003 }, (_, k) => k - 50_000);
    const output = await pool.map("square", input);
    expect(output).toBeInstanceOf(Float64Array);
    expect(output.length).toBe(input.length);
    expect(Array.from(output)).toEqual(Array.from(input, (x) => x * x));
  });

  it("map accepts other typed arrays, empty ones, and async handlers", async () => {
    expect(Array.from(await pool.map("square", new Int16Array([-3, 4])))).toEqual([9, 16]);
    expect((await pool.map("square", new Uint8Array(0))).length).toBe(0);
    expect(Array.from(await pool.map("failOnNegative", new Int32Array([1, 2, 3])))).toEqual([2, 4, 6]);
  });

  it("map rejects with the handler's error, or when results are not numbers", async () => {
    await expect(pool.map("failOnNegative", new Float64Array([1, 2, -3, 4]))).rejects.toThrow("negative: -3");
    await expect(pool.map("upper", new Float64Array([1]))).rejects.toThrow(TypeError);
    await expect(pool.map("square", [1, 2] as unknown as Float64Array)).rejects.toThrow("typed array");
  });

  it("rejects unknown handler names clearly", async () => {
    const untyped = pool as unknown as Pool;
    await expect(untyped.exec("nope")).rejects.toThrow('no handler named "nope"');
    await expect(untyped.map("nope", new Float64Array(1))).rejects.toThrow('no handler named "nope"');
  });

  it("reports status with per-worker counts", async () => {
    await pool.exec("echo", 1);
    const status = pool.status();
    expect(status.capacity).toBe(256);
    expect(status.occupied).toBe(0);
    expect(status.workers).toHaveLength(2);
    for (const worker of status.workers) {
      expect(worker.threadId).toBeGreaterThan(0);
      expect(["idle", "sleeping"]).toContain(worker.state);
      expect(worker.heapMB).toBeGreaterThan(0);
    }
    expect(status.workers.reduce((total, worker) => total + worker.tasksDone, 0)).toBeGreaterThan(10_000);
    expect(status.totals.done).toBeGreaterThan(10_000);
  });
});

describe("enqueue and run (MPOP style)", () => {
  it("fills the queue exactly to capacity, refuses one more, and drains it all", async () => {
    const pool = createPool<Fixtures>({ handlers: HANDLERS, workers: 2, slots: 64 });
    try {
      // Before the workers are ready nothing can run, so the queue fills to the last slot.
      let accepted = 0;
      while (pool.enqueue("echo", accepted)) accepted++;
      expect(accepted).toBe(64);
      expect(pool.status().occupied).toBe(64);
      const result = await pool.run();
      expect(result).toEqual({ done: 64, failed: 0, errors: [] });
      expect(pool.status().occupied).toBe(0);
      // And again once running: full is never mistaken for empty.
      await pool.ready();
      for (let k = 0; k < 64; k++) pool.exec("block", 1, k);
      let more = 0;
      while (pool.enqueue("echo", more)) more++;
      expect(more).toBe(0);
      expect((await pool.run()).done).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it("drains tasks enqueued while it runs, waiting for room when asked", async () => {
    const pool = createPool<Fixtures>({ handlers: HANDLERS, workers: 2, slots: 16 });
    try {
      await pool.ready();
      let enqueued = 0;
      const result = await pool.run(async () => {
        for (let k = 0; k < 16; k++) expect(pool.enqueue("block", 10, k)).toBe(true);
        expect(pool.enqueue("echo", "no room")).toBe(false);
        await pool.enqueue({ wait: true }, "echo", "room at last");
        // Room appeared because a task ended, not because the queue grew.
        expect(pool.status().totals.done).toBeGreaterThanOrEqual(1);
        enqueued = 17;
        for (let k = 0; k < 300; k++) {
          await pool.enqueue({ wait: true }, "echo", k);
          enqueued++;
          expect(pool.status().occupied).toBeLessThanOrEqual(16);
          // A slow producer: the pool runs dry between some of these, and the run goes on.
          if (k % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await pool.enqueue({ wait: true }, "fail", "counted");
      });
      expect(result.done).toBe(enqueued);
      expect(result.failed).toBe(1);
      expect((result.errors[0] as Error).message).toBe("counted");
      expect(await pool.run()).toEqual({ done: 0, failed: 0, errors: [] });
    } finally {
      await pool.close();
    }
  });
});
