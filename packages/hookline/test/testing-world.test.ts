/**
 * hookline/testing's memory world passes the conformance suite every world passes, with its
 * virtual clock made to follow the real one (the suite waits in real time). That clock is set
 * every 2 ms, so it may lag the real one by as much: the suite's clock tolerance.
 */
import { describeWorldConformance } from "@hookline/world-testing";
import { createMemoryWorld } from "../src/testing/memory-world.js";
import { VirtualClock } from "../src/testing/virtual-clock.js";

describeWorldConformance(
  "hookline/testing memory",
  async () => {
    const clock = new VirtualClock(Date.now());
    const ticking = setInterval(() => clock.set(Date.now()), 2);
    return { world: createMemoryWorld(clock, () => {}), cleanup: async () => clearInterval(ticking) };
  },
  { clockToleranceMs: 5 },
);
