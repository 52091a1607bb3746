import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { precedes, type Ranked, RankedSet } from "../../src/schedule/ranked-set.js";

interface Item extends Ranked {
  id: number;
}

const operation = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    order: fc.integer({ min: 0, max: 20 }),
    memory: fc.nat(50),
    runtime: fc.nat(50),
  }),
  fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("find" as const), memory: fc.nat(50), runtime: fc.nat(50), after: fc.nat() }),
);

describe("RankedSet", () => {
  it("matches a sorted array under inserts, removes and pruned searches (property)", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 1500 }), (operations) => {
        const set = new RankedSet<Item>();
        let model: Item[] = [];
        let serial = 0;
        for (const op of operations) {
          if (op.kind === "insert") {
            const item = {
              id: serial,
              order: op.order,
              seq: serial % 7,
              serial: serial++,
              memory: op.memory,
              runtime: op.runtime,
            };
            set.insert(item);
            model.push(item);
            model.sort((a, b) => (precedes(a, b) ? -1 : 1));
          } else if (op.kind === "remove") {
            const item = model[op.pick % Math.max(model.length, 1)];
            if (!item) {
              expect(set.remove({ id: -1, order: 0, seq: 0, serial: -1, memory: 0, runtime: 0 })).toBe(false);
              continue;
            }
            expect(set.remove(item)).toBe(true);
            expect(set.remove(item)).toBe(false);
            model = model.filter((m) => m !== item);
          } else {
            const after = model.length > 0 && op.after % 3 !== 0 ? model[op.after % model.length] : undefined;
            const fitsBoth = (m: number, r: number) => m <= op.memory && r <= op.runtime;
            const expected = model.find(
              (m) => (after === undefined || precedes(after, m)) && fitsBoth(m.memory, m.runtime),
            );
            expect(set.find(fitsBoth, (m) => fitsBoth(m.memory, m.runtime), after)).toBe(expected);
            expect(set.first(after)).toBe(
              after === undefined ? model[0] : model.find((m) => precedes(after, m)),
            );
          }
          expect(set.size).toBe(model.length);
        }
        expect(set.take(5)).toEqual(model.slice(0, 5));
      }),
      { numRuns: 60 },
    );
  });
});
