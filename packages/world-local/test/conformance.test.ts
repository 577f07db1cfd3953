/** world-local passes the shared conformance suite on both of its drivers. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWorldConformance } from "@hookline/world-testing";
import { createLocalWorld, memoryDriver } from "../src/index.js";

// Short backoff so redelivery tests finish quickly; everything else is the default.
const fast = { redeliveryDelayMs: 10, maxRedeliveryDelayMs: 50 };

describeWorldConformance("local (memory driver)", async () => {
  // One driver instance is one "disk": a reopened world sees what the first one stored.
  const driver = memoryDriver();
  return {
    world: createLocalWorld({ driver, ...fast }),
    reopen: async () => createLocalWorld({ driver, ...fast }),
    peer: async () => createLocalWorld({ driver, ...fast }),
  };
});

describeWorldConformance("local (fs driver)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hookline-conformance-"));
  return {
    world: createLocalWorld({ dir, ...fast }),
    reopen: async () => createLocalWorld({ dir, ...fast }),
    peer: async () => createLocalWorld({ dir, ...fast }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
