/**
 * The world failing for a while (a database restarting) in the middle of a run: appends throw,
 * then work again. The run must finish on its own, every step's result recorded once.
 */
import { describe, expect, test } from "vitest";
import { createLocalWorld } from "../../world-local/src/index.js";
import { WorldError } from "../src/shared/errors.js";
import type { World } from "../src/world/world.js";
import { runtimeFor } from "./support/runtimes.js";

const APP = {
  "workflows/chain.ts": `
    export async function chain(n: number) {
      "use workflow";
      let total = 0;
      for (let i = 1; i <= n; i++) total += await add(i);
      return total;
    }
    async function add(i: number) { "use step"; await new Promise((r) => setTimeout(r, 5)); return i; }
  `,
};

/** A memory world whose appends of `type` fail while `down()` is true. */
function worldWithOutage(type: string, down: () => boolean): { world: World; failures: () => number } {
  const world = createLocalWorld({ driver: "memory", redeliveryDelayMs: 20 });
  let failures = 0;
  const append = world.append.bind(world);
  world.append = async (runId, event, options) => {
    if (event.type === type && down()) {
      failures += 1;
      throw new WorldError("connection terminated: the database is restarting");
    }
    return append(runId, event, options);
  };
  return { world, failures: () => failures };
}

describe("a world outage in the middle of steps", () => {
  for (const type of ["step_completed", "step_started"]) {
    test(`a run whose ${type} could not be appended is driven again from its log and completes`, async () => {
      let downUntil = 0;
      let seen = 0;
      const { world, failures } = worldWithOutage(type, () => {
        // Down for 150 ms from the third such append on.
        seen += 1;
        if (seen === 3) downUntil = Date.now() + 150;
        return Date.now() < downUntil;
      });
      const reported: string[] = [];
      const runtime = await runtimeFor(APP, { world, onError: (_error, where) => reported.push(where) });
      const run = await runtime.start("workflow//workflows/chain.ts//chain", [6]);
      await expect(run.returnValue).resolves.toBe(21);
      expect(failures()).toBeGreaterThan(0);
      expect(reported.some((where) => where.startsWith("step step//workflows/chain.ts//add of run"))).toBe(true);
      const events = await runtime.world.readEvents(run.runId);
      const completed = events.filter((e) => e.type === "step_completed");
      expect(completed).toHaveLength(6);
      expect(new Set(completed.map((e) => e.corr)).size).toBe(6);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    });
  }
});
