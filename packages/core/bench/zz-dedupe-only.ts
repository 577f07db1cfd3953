import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalWorld } from "../../world-local/src/index.js";
import { Runtime, registries, setRuntime } from "../src/runtime.js";
import { buildBenchApp } from "./bench-app.js";
import { dedupeCost } from "./dedupe.js";

const app = await buildBenchApp();
const runtime = await Runtime.create({ world: createLocalWorld({ dir: await mkdtemp(join(tmpdir(), "hb-")) }), secret: "bench-secret-0123456789abcdef0123456789abcdef", bundle: app.bundle, steps: registries().steps, webhooks: { rateLimit: false } });
setRuntime(runtime);
console.log(await dedupeCost(runtime, "local"));
await runtime.close();
process.exit(0);
