/** The same app built with `next build --webpack`: a smoke test of the webpack loader rule. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, type NextServer, nextBuild, startNext } from "./support/next-server";

const DIST = ".next-webpack";
let server: NextServer;

beforeAll(async () => {
  await nextBuild({ webpack: true, distDir: DIST });
  server = await startNext("start", { distDir: DIST });
});

afterAll(async () => {
  await server?.stop();
});

it("runs a checkout end to end: step mode on the server, webhooks answered inline", async () => {
  const page = await fetch(`${server.url}/checkout`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("Pay with a good card");

  const { runId } = (await (await fetch(`${server.url}/api/checkout`, { method: "POST", body: JSON.stringify({ card: "good" }) })).json()) as {
    runId: string;
  };
  const run = await eventually(
    async () => {
      const view = (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as { status: string; result?: { status: string; ledger: unknown[]; receipt: string } };
      return view.status === "completed" || view.status === "failed" ? view : undefined;
    },
    30_000,
    "the checkout to end",
  );
  expect(run.status).toBe("completed");
  expect(run.result).toMatchObject({ status: "paid", receipt: expect.stringMatching(/^Thank you!/) });
  expect(run.result?.ledger).toHaveLength(3);
});

it("answers 404 for an unknown webhook token and 401 to an unsigned internal request", async () => {
  expect((await fetch(`${server.url}/.well-known/workflow/v1/webhook/nope`, { method: "POST" })).status).toBe(404);
  expect((await fetch(`${server.url}/.well-known/workflow/v1/flow`, { method: "POST", body: "{}" })).status).toBe(401);
});
