/**
 * The inspector's handler over a real runtime and local world, with more runs than any one page:
 * cancel by filter cancels every matching run (not the newest few hundred), and a run page lists
 * a rerun however many newer runs its workflow has.
 */
import { Runtime } from "@hookline/core/runtime";
import type { NewEvent, World } from "@hookline/core/world";
import { createLocalWorld } from "@hookline/world-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInspector } from "../src/inspector/handler.js";
import { csrfToken } from "../src/inspector/session.js";

const SECRET = "bulk-test-secret-0123456789abcdef0123456789abcdef";
const BASE = "/.well-known/workflow/v1/inspect";
const ORIGIN = "http://inspector.test";

describe("the inspector over more runs than a page", () => {
  let world: World;
  let runtime: Runtime;
  let inspect: ReturnType<typeof createInspector>;
  beforeAll(async () => {
    world = createLocalWorld({ driver: "memory" });
    runtime = await Runtime.create({ world, secret: SECRET, worker: false });
    inspect = createInspector({
      runtime: async () => runtime,
      secrets: async () => [SECRET],
      base: () => BASE,
      access: () => ({ kind: "open" }),
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  let clock = Date.now() - 1_000_000;
  /** A run appended directly, as a start would create it (running unless `pending`). */
  async function createRun(workflowId: string, options: { pending?: boolean; rerunOf?: string } = {}): Promise<string> {
    const runId = `wrun_bulk${(clock++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const created: NewEvent = {
      type: "run_created",
      at: clock,
      data: { workflowId, args: [], seed: "s", ...(options.rerunOf ? { rerunOf: options.rerunOf } : {}) },
    };
    await world.append(runId, created, { expectedSeq: 0 });
    if (!options.pending) await world.append(runId, { type: "run_started", at: clock, data: {} }, { expectedSeq: 1 });
    return runId;
  }

  const request = (path: string, form?: Record<string, string>) =>
    inspect(
      new Request(`${ORIGIN}${BASE}${path}`, {
        method: form ? "POST" : "GET",
        headers: form
          ? { host: "inspector.test", origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" }
          : { host: "inspector.test" },
        body: form ? new URLSearchParams(form).toString() : undefined,
      }),
      path.split("?")[0]!.split("/").filter(Boolean),
    );

  it("cancels every one of 620 matching runs, in pages, and says how many; runs of other workflows keep running", async () => {
    const bulk = "workflow//bulk.ts//bulk";
    const ids: string[] = [];
    for (let i = 0; i < 620; i++) ids.push(await createRun(bulk, { pending: i % 5 === 0 }));
    const other = await createRun("workflow//other.ts//other");
    const done = await request("/cancel-many", {
      csrf: csrfToken(SECRET, undefined),
      status: "",
      workflow: bulk,
      reason: "bulk",
    });
    expect(done.status).toBe(303);
    expect(decodeURIComponent(done.headers.get("location")!)).toContain("Cancelled 620 runs: bulk");
    expect(await world.listRuns({ workflowId: bulk, status: ["pending", "running"] })).toEqual([]);
    expect((await world.listRuns({ workflowId: bulk, status: "cancelled", limit: 1000 })).length).toBe(620);
    const last = await world.readEvents(ids[0]!);
    expect(last.at(-1)).toMatchObject({ type: "run_cancelled", data: { reason: "bulk" } });
    expect((await world.getRun(other))?.status).toBe("running");
  });

  it("lists a run's rerun on its page when 250 newer runs of the workflow came after it", async () => {
    const workflowId = "workflow//reruns.ts//reruns";
    const original = await createRun(workflowId);
    const rerun = await createRun(workflowId, { rerunOf: original });
    for (let i = 0; i < 250; i++) await createRun(workflowId);
    const page = await request(`/runs/${original}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toMatch(new RegExp(`<dt>Reruns</dt><dd data-reruns=""><a href="${BASE}/runs/${rerun}">`));
  });

  it("filters runs by creation time, page by page, and cancels only the runs of that time range", async () => {
    const workflowId = "workflow//range.ts//range";
    for (let i = 0; i < 10; i++) await createRun(workflowId);
    const from = clock + 1;
    const inside: string[] = [];
    for (let i = 0; i < 60; i++) inside.push(await createRun(workflowId));
    const to = clock + 1;
    const after: string[] = [];
    for (let i = 0; i < 10; i++) after.push(await createRun(workflowId));
    const listed = (text: string) => [...text.matchAll(/<tr data-run="([^"]+)"/g)].map((m) => m[1]);
    const range = `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;

    const first = await (await request(`?workflow=${encodeURIComponent(workflowId)}&${range}`)).text();
    const newestFirst = [...inside].reverse();
    expect(listed(first)).toEqual(newestFirst.slice(0, 50));
    const next = first.match(/<a rel="next" href="([^"]+)"/)![1]!.replaceAll("&amp;", "&");
    expect(next).toContain("from=");
    const second = await (await request(next.slice(BASE.length))).text();
    expect(listed(second)).toEqual(newestFirst.slice(50));
    expect(second).not.toContain('rel="next"');
    // The form shows the range (minutes, UTC) and the cancel button names it.
    expect(first).toContain(`value="${new Date(from).toISOString().slice(0, 16)}"`);
    expect(first).toContain("in this time range");

    const done = await request("/cancel-many", {
      csrf: csrfToken(SECRET, undefined),
      status: "",
      workflow: workflowId,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      reason: "range",
    });
    expect(decodeURIComponent(done.headers.get("location")!)).toContain("Cancelled 60 runs: range");
    const statuses = await world.listRuns({ workflowId, limit: 100 });
    expect(
      statuses
        .filter((r) => r.status === "cancelled")
        .map((r) => r.runId)
        .sort(),
    ).toEqual([...inside].sort());
    expect(statuses.filter((r) => r.status === "running")).toHaveLength(20);
    expect(after.every((id) => statuses.find((r) => r.runId === id)?.status === "running")).toBe(true);
  });
});
