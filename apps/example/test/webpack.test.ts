/**
 * The same app built with `next build --webpack` and served under a basePath (`/shop`): a smoke
 * test of the webpack loader rule, and of webhook URLs and generated routes below a basePath.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, type NextServer, nextBuild, startNext } from "./support/next-server";
import { expectReadableStacks } from "./support/stacks";

const DIST = ".next-webpack";
const BASE = "/shop";
const env = { EXAMPLE_BASE_PATH: BASE };
let server: NextServer;
let app: string;

beforeAll(async () => {
  await nextBuild({ webpack: true, distDir: DIST, env });
  server = await startNext("start", { distDir: DIST, env, path: BASE });
  app = server.url + BASE;
});

afterAll(async () => {
  await server?.stop();
});

it("runs a checkout end to end: step mode on the server, webhooks under the basePath answered inline", async () => {
  const page = await fetch(`${app}/checkout`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("Pay with a good card");

  const { runId, orderId } = (await (
    await fetch(`${app}/api/checkout`, { method: "POST", body: JSON.stringify({ card: "good" }) })
  ).json()) as {
    runId: string;
    orderId: string;
  };
  const run = await eventually(
    async () => {
      const view = (await (await fetch(`${app}/api/runs/${runId}`)).json()) as {
        status: string;
        result?: { status: string; ledger: unknown[]; receipt: string };
      };
      return view.status === "completed" || view.status === "failed" ? view : undefined;
    },
    30_000,
    "the checkout to end",
  );
  expect(run.status).toBe("completed");
  expect(run.result).toMatchObject({ status: "paid", receipt: expect.stringMatching(/^Thank you!/) });
  expect(run.result?.ledger).toHaveLength(3);
  // The provider was handed, and called, a webhook URL below the basePath.
  const { deliveries } = (await (await fetch(`${app}/api/fake-psp/payments?orderId=${orderId}`)).json()) as {
    deliveries: Array<{ status: number }>;
  };
  expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
});

it("serves the generated routes below the basePath only: unknown token 404, internal endpoints 401 to outsiders", async () => {
  expect((await fetch(`${app}/.well-known/workflow/v1/webhook/nope`, { method: "POST" })).status).toBe(404);
  expect((await fetch(`${app}/.well-known/workflow/v1/flow`, { method: "POST", body: "{}" })).status).toBe(401);
  expect((await fetch(`${app}/.well-known/workflow/v1/step`, { method: "POST", body: "{}" })).status).toBe(401);
  // Outside the basePath nothing of the app answers.
  const outside = await fetch(`${server.url}/.well-known/workflow/v1/flow`, { method: "POST", body: "{}" });
  expect(outside.status).toBe(404);
});

it("names the user's files, lines, functions and classes in a failing step's and workflow's errors", async () => {
  await expectReadableStacks(app, server);
});

it("registers a class with the symbols from a plain shared file (lib/money.ts) through the webpack rule too", async () => {
  const { runId } = (await (
    await fetch(`${app}/api/compat/models`, { method: "POST", body: JSON.stringify({ cents: 250 }) })
  ).json()) as { runId: string };
  const result = await fetch(`${app}/api/compat/models?runId=${runId}`);
  expect(await result.json()).toEqual({
    formatted: "3.00 EUR",
    isMoney: true,
    onServer: { isMoney: true, doubled: "6.00 EUR" },
  });
});
