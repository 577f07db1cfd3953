/**
 * `next dev`: a run works, and editing a step file or adding a workflow takes effect in the
 * next run without a restart. The edited and added files are restored afterwards.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./support/browser";
import { APP_DIR, eventually, type NextServer, startNext } from "./support/next-server";
import { overTheBurst, postFrom, TEST_BURST } from "./support/post-from";
import { expectReadableStacks } from "./support/stacks";

const RECEIPT = join(APP_DIR, "workflows", "receipt.ts");
const ADDED_WORKFLOW = join(APP_DIR, "workflows", "dev-test-greeting.ts");
const ADDED_ROUTE_DIR = join(APP_DIR, "app", "api", "dev-test-greeting");
const BROKEN_WORKFLOW = join(APP_DIR, "workflows", "dev-test-broken.ts");
const BROKEN_PAGE_DIR = join(APP_DIR, "app", "dev-test-broken");
let original: string;
let server: NextServer;

async function restore(): Promise<void> {
  if (original !== undefined) await writeFile(RECEIPT, original);
  await rm(ADDED_WORKFLOW, { force: true });
  await rm(ADDED_ROUTE_DIR, { recursive: true, force: true });
  await rm(BROKEN_WORKFLOW, { force: true });
  await rm(BROKEN_PAGE_DIR, { recursive: true, force: true });
}

beforeAll(async () => {
  original = await readFile(RECEIPT, "utf8");
  await restore();
  server = await startNext("dev", { distDir: ".next-dev", env: { EXAMPLE_WEBHOOK_BURST: String(TEST_BURST) } });
});

afterAll(async () => {
  await server?.stop();
  await restore();
});

async function receiptOfNewRun(): Promise<string> {
  const { runId } = (await (
    await fetch(`${server.url}/api/checkout`, { method: "POST", body: JSON.stringify({ card: "good" }) })
  ).json()) as { runId: string };
  const view = await eventually(
    async () => {
      const v = (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as {
        status: string;
        result?: { receipt: string };
        error?: string;
      };
      return v.status === "completed" || v.status === "failed" ? v : undefined;
    },
    60_000,
    "the checkout run to end",
  );
  expect(view.error).toBeUndefined();
  return view.result!.receipt;
}

it("logs nothing the user did not do: no internal route requests, no reload without an edit", async () => {
  // A request of the user's own, so the runtime has started and its first calls are behind us.
  expect((await fetch(`${server.url}/api/lab/ping`, { method: "POST" })).status).toBe(202);
  await server.waitForOutput(/\[hookline\] runtime started/, 60_000);
  // next-env.d.ts and tsconfig.json are written by Next itself at start: neither is a workflow change.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(server.output()).toMatch(/POST \/api\/lab\/ping 202/);
  expect(server.output()).not.toMatch(/\/\.well-known\/workflow\/v1\/(flow|step)/);
  expect(server.output()).not.toMatch(/\[hookline\] reloaded/);
});

it("names the user's files, lines, functions and classes in a failing step's and workflow's errors", async () => {
  await expectReadableStacks(server.url, server);
});

it("picks up an edited step file in the next run", async () => {
  expect(await receiptOfNewRun()).toMatch(/^Thank you! Order/);
  const mark = server.output().length;
  await writeFile(RECEIPT, original.replace("Thank you!", "Thanks a lot (edited)!"));
  await server.waitForOutput(/\[hookline\] reloaded/, 60_000, mark);
  expect(await receiptOfNewRun()).toMatch(/^Thanks a lot \(edited\)! Order/);
  expect(server.output().slice(mark)).not.toMatch(/\/\.well-known\/workflow\/v1\/(flow|step)/);
});

it("picks up a new workflow file without a restart", async () => {
  const mark = server.output().length;
  await writeFile(
    ADDED_WORKFLOW,
    [
      "export async function greet(name: string) {",
      '  "use workflow";',
      "  return await shout(`hello ${name}`);",
      "}",
      "",
      "async function shout(text: string) {",
      '  "use step";',
      "  return text.toUpperCase();",
      "}",
      "",
    ].join("\n"),
  );
  await rm(ADDED_ROUTE_DIR, { recursive: true, force: true });
  await import("node:fs/promises").then((fs) => fs.mkdir(ADDED_ROUTE_DIR, { recursive: true }));
  await writeFile(
    join(ADDED_ROUTE_DIR, "route.ts"),
    [
      'import { start } from "hookline/api";',
      'import { greet } from "@/workflows/dev-test-greeting";',
      "",
      "export async function POST() {",
      '  const run = await start(greet, ["dev"]);',
      "  return Response.json({ result: await run.returnValue });",
      "}",
      "",
    ].join("\n"),
  );
  await server.waitForOutput(/\[hookline\] reloaded/, 60_000, mark);
  const answer = await eventually(
    async () => {
      const response = await fetch(`${server.url}/api/dev-test-greeting`, {
        method: "POST",
        signal: AbortSignal.timeout(60_000),
      });
      return response.status === 200 ? ((await response.json()) as { result: string }) : undefined;
    },
    90_000,
    "the new route to answer",
  );
  expect(answer.result).toBe("HELLO DEV");
});

it("reports a transform error on save, readably in the terminal and in the overlay, and recovers when it is fixed", async () => {
  const broken = [
    "export async function brokenFlow() {",
    '  "use workflow";',
    '  return await createUser("x");',
    "}",
    "",
    "function createUser(email: string) {",
    '  "use step";',
    "  return { id: email };",
    "}",
    "",
  ];
  let mark = server.output().length;
  await writeFile(BROKEN_WORKFLOW, broken.join("\n"));
  // On save, before any request: the workflow build's own report.
  await server.waitForOutput(/\[hookline\] the workflows could not be built/, 60_000, mark);
  await server.waitForOutput(/Add the async keyword\.\n\n[\s\S]*function createUser/, 10_000, mark);
  const onSave = server.output().slice(mark);
  expect(onSave).toContain("HOOKLINE_TRANSFORM_DIRECTIVE_NOT_ASYNC (workflows/dev-test-broken.ts:6:1):");
  expect(onSave).toContain(
    'A "use step" function must be an async function: "createUser" is not async.\nAdd the async keyword.',
  );

  // A page importing the file: Next's overlay shows Hookline's message and the frame, none of the compiler's frames.
  await mkdir(BROKEN_PAGE_DIR, { recursive: true });
  await writeFile(
    join(BROKEN_PAGE_DIR, "page.tsx"),
    'import { brokenFlow } from "@/workflows/dev-test-broken";\n\nexport default function Broken() {\n  return <main>{typeof brokenFlow}</main>;\n}\n',
  );
  mark = server.output().length;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/dev-test-broken`);
    const overlay = page.getByText(/A "use step" function must be an async function/).first();
    await overlay.waitFor({ timeout: 60_000 });
    await screenshot(page, "dev-transform-error-overlay");
    // The overlay lives in the shadow root of Next's <nextjs-portal>.
    const shown = await page.locator("nextjs-portal").evaluate((portal) => portal.shadowRoot?.textContent ?? "");
    // The headline is Hookline's message (not "Issue while running loader"), and the frame is the faulty line's.
    const headline = await page
      .locator("nextjs-portal")
      .evaluate((portal) => portal.shadowRoot?.querySelector("#nextjs__container_errors_desc")?.textContent ?? "");
    expect(
      headline.startsWith('A "use step" function must be an async function: "createUser" is not async.'),
      headline,
    ).toBe(true);
    expect(shown).not.toContain("Issue while running loader");
    expect(shown.split("function createUser(email: string) {")).toHaveLength(2);
    expect(shown).toContain("HOOKLINE_TRANSFORM_DIRECTIVE_NOT_ASYNC (workflows/dev-test-broken.ts:6:1)");
    expect(shown).toMatch(/> *6 \| function createUser\(email: string\) \{/);
    expect(shown).not.toMatch(/gensync|@babel|transformFile|Error evaluating Node\.js code|packages\/transform/);
  } finally {
    await browser.close();
  }
  expect(server.output().slice(mark)).not.toMatch(/gensync|@babel|transformFile|stopHiding/);

  mark = server.output().length;
  await writeFile(BROKEN_WORKFLOW, broken.join("\n").replace("function createUser", "async function createUser"));
  await server.waitForOutput(/\[hookline\] reloaded: .*workflows\/dev-test-broken\.ts/, 60_000, mark);
  const fixed = await eventually(
    async () => {
      const response = await fetch(`${server.url}/dev-test-broken`, { signal: AbortSignal.timeout(60_000) });
      return response.status === 200 ? await response.text() : undefined;
    },
    90_000,
    "the fixed page to render",
  );
  expect(fixed).toContain("function");
});

it("answers odd webhook URLs, and limits each caller with withWorkflow's webhook options, under next dev too", async () => {
  const path = "/.well-known/workflow/v1/webhook/";
  expect(await postFrom(server.url, `${path}%`, "127.0.2.1")).toBe(404);
  expect(await postFrom(server.url, `${path}abcdefghijklmnopqrstuvwxyz/`, "127.0.2.1")).toBe(404);
  expect(await overTheBurst(server.url, "", "127.0.2.2")).toEqual([...Array(TEST_BURST).fill(404), 429]);
});
