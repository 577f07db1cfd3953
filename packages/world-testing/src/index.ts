/**
 * @hookline/world-testing: the conformance suite every Hookline world must pass, unchanged.
 *
 *   describeWorldConformance("local (memory)", async () => ({ world: createLocalWorld({ driver: "memory" }) }));
 *
 * Each test gets a fresh world from the factory (started by the suite, closed after the test),
 * and uses ids of its own, so the suite also runs against a shared database. Tests wait for
 * conditions with a timeout, never for fixed times, except to check that something does NOT
 * happen (`quietMs`).
 */
import { afterEach, beforeEach, describe } from "vitest";
import { type ConformanceOptions, Harness, resolveConformanceOptions, type WorldFactory } from "./harness.js";
import { bundleTests } from "./suites/bundles.js";
import { deliveryTests } from "./suites/deliveries.js";
import { eventLogTests } from "./suites/event-log.js";
import { hookTests } from "./suites/hooks.js";
import { instanceTests } from "./suites/instances.js";
import { lifecycleTests, notificationTests } from "./suites/lifecycle.js";
import { persistenceTests } from "./suites/persistence.js";
import { queueTests } from "./suites/queue.js";
import { runListTests } from "./suites/run-lists.js";
import { runTests } from "./suites/runs.js";
import { scheduleTests } from "./suites/schedules.js";
import { slotTests } from "./suites/slots.js";
import { startKeyTests } from "./suites/start-keys.js";
import { streamTests } from "./suites/streams.js";

export type { ConformanceOptions, WorldFactory, WorldUnderTest } from "./harness.js";
export {
  appendAll,
  createRun,
  ev,
  gate,
  hashToken,
  newTokenHash,
  settle,
  sleep,
  uniqueId,
  waitFor,
} from "./helpers.js";

export function describeWorldConformance(name: string, factory: WorldFactory, options?: ConformanceOptions): void {
  describe(`${name} world conformance`, () => {
    const harness = new Harness(factory, resolveConformanceOptions(options));
    beforeEach(() => harness.setUp());
    afterEach(() => harness.tearDown());
    eventLogTests(harness);
    runTests(harness);
    runListTests(harness);
    startKeyTests(harness);
    hookTests(harness);
    deliveryTests(harness);
    queueTests(harness);
    notificationTests(harness);
    lifecycleTests(harness);
    persistenceTests(harness);
    instanceTests(harness);
    streamTests(harness);
    slotTests(harness);
    scheduleTests(harness);
    bundleTests(harness);
  });
}
