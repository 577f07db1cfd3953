/**
 * `hookline inspect --web` as a user runs it: the CLI in its own process serves the inspector's
 * pages over a local-world folder, without the app: runs, a run, live updates, an action (cancel,
 * with its CSRF token and origin checks); behind a login when HOOKLINE_INSPECTOR_TOKEN is set;
 * and it stops cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serialize } from "@hookline/core/runtime";
import type { NewEvent } from "@hookline/core/world";
import { createLocalWorld, type LocalWorld } from "@hookline/world-local";
import { afterAll, beforeAll, expect, it } from "vitest";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));
const BASE = "/.well-known/workflow/v1/inspect";
const children: ChildProcess[] = [];
let dir: string;
let world: LocalWorld;
const runId = `wrun_web_${Date.now()}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-web-"));
  world = createLocalWorld({ dir });
  await world.start();
  const t = Date.now();
  const events: NewEvent[] = [
    {
      type: "run_created",
      at: t,
      data: { workflowId: "workflow//app/inbox.ts//inbox", args: serialize(["<b>order-9</b>"]), seed: "s" },
    },
    { type: "run_started", at: t + 1, data: {} },
    {
      type: "hook_created",
      corr: "o1",
      at: t + 2,
      data: {
        kind: "hook",
        tokenHash: createHash("sha256").update("web-token").digest("hex"),
        expiresAt: t + 3_600_000,
      },
    },
  ];
  for (const [seq, event] of events.entries()) await world.append(runId, event, { expectedSeq: seq });
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await world.close();
});

/** Starts `hookline inspect --web` on a free port; resolves with the URL it prints. */
async function serve(
  env: Record<string, string> = {},
): Promise<{ url: string; origin: string; child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    ["--conditions=hookline-source", "--import", "tsx", "src/cli.ts", "inspect", "--web", "--port", "0", "--dir", dir],
    {
      cwd: PACKAGE,
      env: { ...process.env, HOOKLINE_WORLD: "", HOOKLINE_INSPECTOR_TOKEN: "", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const found = out.match(/Hookline inspector on (http:\/\/\S+) /);
      if (found) resolve(found[1]!);
    });
    void exited.then((code) => reject(new Error(`hookline inspect --web exited with ${code} before serving: ${out}`)));
  });
  return { url, origin: new URL(url).origin, child, exited };
}

it("serves the runs and a run's page, live updates and cancel without the app, and stops on SIGTERM", async () => {
  const web = await serve();
  expect(web.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${BASE}$`));
  const root = await fetch(web.origin, { redirect: "manual" });
  expect([root.status, root.headers.get("location")]).toEqual([302, BASE]);

  const runs = await (await fetch(web.url)).text();
  expect(runs).toContain(`data-run="${runId}"`);
  expect(runs).toContain(`href="${BASE}/waits"`);
  const page = await fetch(`${web.url}/runs/${runId}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain("&lt;b&gt;order-9&lt;/b&gt;");
  expect(html).not.toContain("<b>order-9</b>");
  expect((await fetch(`${web.origin}/elsewhere`)).status).toBe(404);

  const live = await fetch(`${web.url}/live`);
  expect(live.headers.get("content-type")).toContain("text/event-stream");
  await live.body?.cancel();

  const csrf = html.match(/name="csrf" value="([^"]+)"/)![1]!;
  const cancel = (headers: Record<string, string>, token = csrf) =>
    fetch(`${web.url}/runs/${runId}/cancel`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ csrf: token, reason: "from the web CLI" }).toString(),
    });
  // Another site's page cannot act: a foreign origin, or no CSRF token, is refused.
  expect((await cancel({ origin: "http://evil.example" })).status).toBe(403);
  expect((await cancel({ origin: web.origin }, "forged")).status).toBe(403);
  expect((await world.getRun(runId))?.status).toBe("running");
  const done = await cancel({ origin: web.origin });
  expect(done.status).toBe(303);
  expect((await world.readEvents(runId)).at(-1)).toMatchObject({
    type: "run_cancelled",
    data: { reason: "from the web CLI" },
  });

  web.child.kill("SIGTERM");
  expect(await web.exited).toBe(0);
});

it("does not resume, unchecked, a hook made by a defineHook({ id, schema }) whose schema it has not loaded", async () => {
  const defined = `wrun_web_defined_${Date.now()}`;
  const t = Date.now();
  const events: NewEvent[] = [
    {
      type: "run_created",
      at: t,
      data: { workflowId: "workflow//app/approval.ts//approval", args: serialize(["a-1"]), seed: "s" },
    },
    { type: "run_started", at: t + 1, data: {} },
    {
      type: "hook_created",
      corr: "o1",
      at: t + 2,
      data: {
        kind: "hook",
        tokenHash: createHash("sha256").update("defined-token").digest("hex"),
        definition: "approval-decision",
      },
    },
  ];
  for (const [seq, event] of events.entries()) await world.append(defined, event, { expectedSeq: seq });
  const web = await serve();
  const html = await (await fetch(`${web.url}/runs/${defined}`)).text();
  expect(html).toContain("(not loaded in this process: resume it from the app's own inspector)");
  const resume = await fetch(`${web.url}/runs/${defined}/hooks/o1/resume`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: web.origin },
    body: new URLSearchParams({
      csrf: html.match(/name="csrf" value="([^"]+)"/)![1]!,
      payload: '{"approved":true}',
    }).toString(),
  });
  expect(resume.status).toBe(422);
  expect(await resume.text()).toContain("whose schema is not loaded in this process, so the payload cannot be checked");
  expect((await world.readEvents(defined)).map((e) => e.type)).toEqual(["run_created", "run_started", "hook_created"]);
  web.child.kill("SIGTERM");
  expect(await web.exited).toBe(0);
});

it("asks for HOOKLINE_INSPECTOR_TOKEN when it is set, and refuses a bad port by name", async () => {
  const web = await serve({ HOOKLINE_INSPECTOR_TOKEN: "web-inspector-token-0123456789" });
  const first = await fetch(web.url);
  expect(first.status).toBe(401);
  expect(await first.text()).toContain('name="token"');
  web.child.kill("SIGTERM");
  expect(await web.exited).toBe(0);

  const bad = spawn(
    process.execPath,
    [
      "--conditions=hookline-source",
      "--import",
      "tsx",
      "src/cli.ts",
      "inspect",
      "--web",
      "--port",
      "http",
      "--dir",
      dir,
    ],
    {
      cwd: PACKAGE,
      env: { ...process.env, HOOKLINE_WORLD: "" },
    },
  );
  let stderr = "";
  bad.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  expect(await new Promise((resolve) => bad.on("exit", resolve))).toBe(2);
  expect(stderr).toContain("--port must be a port number");
});

it("counts runs per status from the world's counters, following a cancel, and shows a long run's newest 500 events unless asked for all", async () => {
  const workflowId = "workflow//app/long.ts//long";
  const longRun = `wrun_long_${Date.now()}`;
  const t = Date.now();
  await world.append(
    longRun,
    { type: "run_created", at: t, data: { workflowId, args: serialize([1]), seed: "s" } },
    { expectedSeq: 0 },
  );
  await world.append(longRun, { type: "run_started", at: t, data: {} }, { expectedSeq: 1 });
  for (let seq = 2; seq < 602; seq++) {
    const corr = `o${Math.floor(seq / 2)}`;
    const stepId = "step//app/long.ts//charge";
    const event: NewEvent =
      seq % 2 === 0
        ? { type: "step_started", corr, at: t + seq, data: { stepId, attempt: 1 } }
        : { type: "step_completed", corr, at: t + seq + 40, data: { stepId, result: serialize(`receipt-${seq}`) } };
    await world.append(longRun, event, { expectedSeq: seq });
  }
  const web = await serve();
  const running = () =>
    fetch(`${web.url}?workflow=${encodeURIComponent(workflowId)}`).then((response) => response.text());
  expect(await running()).toMatch(/data-status="running">running <span class="count">1</);
  const cancelled = await world.append(
    longRun,
    { type: "run_cancelled", at: t + 700, data: { reason: "long enough" } },
    { expectedSeq: 602 },
  );
  expect(cancelled.seq).toBe(603);
  const after = await running();
  expect(after).toMatch(/data-status="running">running <span class="count">0</);
  expect(after).toMatch(/data-status="cancelled">cancelled <span class="count">1</);

  const page = await (await fetch(`${web.url}/runs/${longRun}`)).text();
  expect(page.match(/<tr data-type=/g)).toHaveLength(500);
  expect(page).toContain("The newest 500 of 603 events.");
  expect(page).toContain(`href="${BASE}/runs/${longRun}?events=all"`);
  // Events 104 to 603: the oldest row shown ends a step whose start (103) is not shown, and
  // still has its duration from it; the step before is not shown at all.
  expect(page).toMatch(
    /<tr data-type="step_completed"><td>104<\/td>.*took 41 ms · <\/span><pre class="value">receipt-103<\/pre>/,
  );
  expect(page).not.toContain("receipt-101<");
  const all = await (await fetch(`${web.url}/runs/${longRun}?events=all`)).text();
  expect(all.match(/<tr data-type=/g)).toHaveLength(603);
  expect(all).not.toContain("The newest 500");
  web.child.kill("SIGTERM");
  expect(await web.exited).toBe(0);
});
