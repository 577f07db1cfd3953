/**
 * The example built with `output: "standalone"` and served by its own server.js, as a container
 * runs it: `node server.js` with PORT and HOSTNAME, no next.config, no next CLI. Below a basePath
 * (`/shop`), which the server knows only from the config the build embedded in it.
 */
import { cp, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { APP_DIR, eventually, type NextServer, nextBuild, standaloneDir, startStandalone } from "./support/next-server";
import { overTheBurst, postFrom, TEST_BURST } from "./support/post-from";
import { expectReadableStacks } from "./support/stacks";

const DIST = ".next-standalone";
const BASE = "/shop";
let server: NextServer;
let app: string;

beforeAll(async () => {
  await nextBuild({
    distDir: DIST,
    env: { EXAMPLE_STANDALONE: "1", EXAMPLE_BASE_PATH: BASE, EXAMPLE_WEBHOOK_BURST: String(TEST_BURST) },
  });
  // The build leaves the browser's files for the deployment to copy beside server.js, as Next's docs say.
  await cp(join(APP_DIR, DIST, "static"), join(await standaloneDir(DIST), DIST, "static"), { recursive: true });
  server = await startStandalone({ distDir: DIST, ready: false });
  app = server.url + BASE;
});

afterAll(async () => {
  await server?.stop();
});

it("ships the server without the app's sources: nothing in Hookline's server code makes the tracer copy the project", async () => {
  const shipped = await readdir(await standaloneDir(DIST));
  expect(shipped.filter((name) => !["node_modules", "package.json", "server.js", DIST].includes(name))).toEqual([]);
});

async function runJson(
  runId: string,
): Promise<{ status: string; endedAt: number | null; result?: Record<string, unknown>; waits: { kind: string }[] }> {
  const response = await fetch(`${app}/api/runs/${runId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Awaited<ReturnType<typeof runJson>>;
}

it("starts the runtime as the server starts, before any request", async () => {
  await server.waitForOutput(/\[hookline\] runtime started: \d+ workflows/);
  expect(server.output()).not.toMatch(/did not start the runtime at start/);
});

it("runs a checkout end to end: pages and their scripts below the basePath, webhooks under it answered inline", async () => {
  const page = await fetch(`${app}/checkout`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain("Pay with a good card");
  const script = html.match(/src="(\/shop\/_next\/static\/[^"]+\.js)"/)?.[1];
  expect(script).toBeDefined();
  expect((await fetch(server.url + script)).status).toBe(200);

  const { runId, orderId } = (await (
    await fetch(`${app}/api/checkout`, { method: "POST", body: JSON.stringify({ card: "good" }) })
  ).json()) as {
    runId: string;
    orderId: string;
  };
  const run = await eventually(
    async () => {
      const view = await runJson(runId);
      return view.status === "completed" || view.status === "failed" ? view : undefined;
    },
    30_000,
    "the checkout to end",
  );
  expect(run.status).toBe("completed");
  expect(run.result).toMatchObject({ status: "paid", receipt: expect.stringMatching(/^Thank you!/) });
  // The provider was handed, and called, a webhook URL below the basePath (outside it nothing answers).
  const { deliveries } = (await (await fetch(`${app}/api/fake-psp/payments?orderId=${orderId}`)).json()) as {
    deliveries: Array<{ status: number }>;
  };
  expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
});

it("serves the generated routes below the basePath: unknown token 404, internal endpoints 401 unsigned", async () => {
  expect((await fetch(`${app}/.well-known/workflow/v1/webhook/nope`, { method: "POST" })).status).toBe(404);
  expect((await fetch(`${app}/.well-known/workflow/v1/flow`, { method: "POST", body: "{}" })).status).toBe(401);
  expect((await fetch(`${app}/.well-known/workflow/v1/step`, { method: "POST", body: "{}" })).status).toBe(401);
  expect((await fetch(`${server.url}/.well-known/workflow/v1/flow`, { method: "POST", body: "{}" })).status).toBe(404);
});

it("answers odd webhook URLs, and limits each caller with the webhook options withWorkflow embedded in the build", async () => {
  const path = `${BASE}/.well-known/workflow/v1/webhook/`;
  expect(await postFrom(server.url, `${path}%`, "127.0.3.1")).toBe(404);
  expect(await postFrom(server.url, `${path}abcdefghijklmnopqrstuvwxyz/`, "127.0.3.1")).toBe(404);
  expect(await overTheBurst(server.url, BASE, "127.0.3.2")).toEqual([...Array(TEST_BURST).fill(404), 429]);
});

it("names the user's files, lines, functions and classes in a failing step's and workflow's errors, without the sources beside it", async () => {
  await server.waitForOutput(/\[hookline\] runtime started/);
  await expectReadableStacks(app, server);
});

it("continues a sleeping run after a restart, on its own, without any request", async () => {
  const { runId } = (await (
    await fetch(`${app}/api/verify`, { method: "POST", body: JSON.stringify({ scan: "slow" }) })
  ).json()) as { runId: string };
  await eventually(
    async () => ((await runJson(runId)).waits.some((w) => w.kind === "sleep") ? true : undefined),
    30_000,
    "the run to sleep",
  );
  await server.stop("SIGKILL");
  server = await startStandalone({ distDir: DIST, port: server.port, dataDir: server.dataDir, ready: false });
  await server.waitForOutput(/\[hookline\] runtime started/);
  // Nothing has asked this server anything. Let the run's deadline (6 s) pass.
  await new Promise((resolve) => setTimeout(resolve, 9_000));
  const askedAt = Date.now();
  const run = await runJson(runId);
  expect(run.status).toBe("completed");
  expect(run.result).toMatchObject({ result: "timed out" });
  expect(run.endedAt).toBeLessThan(askedAt);
});

it("stops at start on a bad configuration: '[hookline] cannot start: …', exit code 1", async () => {
  const bad = await startStandalone({
    distDir: DIST,
    env: { HOOKLINE_WORLD: "postgres", HOOKLINE_POSTGRES_URL: "" },
    ready: false,
  });
  try {
    const code = await Promise.race([
      bad.exited,
      new Promise((resolve) => setTimeout(() => resolve("still running"), 60_000)),
    ]);
    expect(code, bad.output()).toBe(1);
    expect(bad.output()).toMatch(
      /\[hookline\] cannot start: HOOKLINE_WORLD is postgres but HOOKLINE_POSTGRES_URL is not set/,
    );
  } finally {
    await bad.stop();
  }
});
