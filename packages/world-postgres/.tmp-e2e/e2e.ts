import { performance } from "node:perf_hooks";
import { createPostgresWorld } from "../src/index.js";
import { registries, Runtime, setRuntime } from "../../core/src/runtime.js";
import { compileApp } from "../../core/test/support/app.js";
import { prepareForChild } from "../../core/test/support/child-process.js";
import { createTestDatabase } from "../test/support/database.js";

const starts: number[] = [];
(globalThis as Record<string, unknown>).__benchStarts = starts;
const app = await compileApp({ "workflows/bench.ts": `
  export async function sequential(n: number) { "use workflow"; for (let i = 0; i < n; i++) await noop(); return n; }
  async function noop() { "use step"; (globalThis as any).__benchStarts.push(performance.now()); }
` });
await prepareForChild(app);
const db = await createTestDatabase("postgres://postgres@127.0.0.1:5432/postgres", "e2e");
const world = createPostgresWorld({ connectionString: db.url });
const stats: Record<string, { n: number; ms: number }> = {};
for (const name of ["append", "readEvents", "getRun", "getHook", "listHooks"] as const) {
  const orig = (world as any)[name].bind(world);
  (world as any)[name] = async (...args: unknown[]) => { const t = performance.now(); try { return await orig(...args); } finally { const s = (stats[name + (name === "append" ? ":" + (args[1] as any).type : "")] ??= { n: 0, ms: 0 }); s.n++; s.ms += performance.now() - t; } };
}
const origEnq = world.queue.enqueue.bind(world.queue);
world.queue.enqueue = async (...a) => { const t = performance.now(); try { return await origEnq(...a); } finally { const s = (stats.enqueue ??= { n: 0, ms: 0 }); s.n++; s.ms += performance.now() - t; } };
const rt = await Runtime.create({ world, secret: "bench-secret-0123456789abcdef0123456789abcdef", bundle: app.bundle, steps: registries().steps }); setRuntime(rt);
for (const n of [100, 300]) {
  for (const k of Object.keys(stats)) delete stats[k];
  starts.length = 0;
  const t = performance.now();
  const run = await rt.start("workflow//workflows/bench.ts//sequential", [n]);
  await run.returnValue;
  console.log(`${n} sequential steps: ${(performance.now() - t).toFixed(1)} ms`);
  for (const [k, s] of Object.entries(stats)) console.log(`  ${k}: n=${s.n} avg=${(s.ms / s.n).toFixed(2)}ms total=${s.ms.toFixed(0)}ms`);
}
await rt.close();
await db.drop();
