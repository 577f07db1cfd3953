/**
 * The inspector under `next dev`, where it is open without a token: live updates pushed over SSE,
 * the link from the example's own runs page, and a run's page in Chromium (escaping, resuming a
 * hook from its form), with screenshots in test-artifacts/.
 */
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./support/browser";
import { INSPECT, SECRET, startDemo } from "./support/inspector";
import { eventually, type NextServer, startNext } from "./support/next-server";

describe("the inspector under next dev, in Chromium", () => {
  let server: NextServer;
  let browser: BrowserContext;
  beforeAll(async () => {
    server = await startNext("dev", { distDir: ".next-inspector-dev", env: { HOOKLINE_SECRET: SECRET } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows a new run on the runs page, pushed over SSE, without a reload", async () => {
    const tab = await browser.newPage();
    await tab.goto(`${server.url}${INSPECT}`);
    await tab.waitForFunction(() => document.querySelector(".live")?.textContent === "live", null, { timeout: 60_000 });
    const loads = await tab.evaluate(() => performance.getEntriesByType("navigation").length);
    // Each row notes when it first appeared, to compare with the run's creation time (one machine, one clock).
    await tab.evaluate(() => {
      const mark = () => {
        for (const row of document.querySelectorAll<HTMLElement>("tr[data-run]"))
          (window as unknown as Record<string, number>)[`seen:${row.dataset.run}`] ??= Date.now();
      };
      mark();
      new MutationObserver(mark).observe(document.body, { subtree: true, childList: true });
    });
    const runId = await startDemo(server, { label: "live" });
    await tab.waitForSelector(`tr[data-run="${runId}"]`, { timeout: 10_000 });
    const seenAt = await tab.evaluate((id) => (window as unknown as Record<string, number>)[`seen:${id}`]!, runId);
    const createdAt = Date.parse((await tab.locator(`tr[data-run="${runId}"] time`).first().getAttribute("datetime"))!);
    console.log(
      `[inspector] a new run appeared on the runs page ${seenAt - createdAt} ms after its run_created was appended`,
    );
    expect(await tab.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(loads);
    await screenshot(tab, "inspector-dev-runs");
  });

  it("is linked from the example's own runs page", async () => {
    const tab = await browser.newPage();
    await tab.goto(`${server.url}/runs`);
    await tab.getByRole("link", { name: "inspector" }).click();
    await tab.waitForSelector("h1:text('Runs')");
    expect(new URL(tab.url()).pathname).toBe(INSPECT);
  });

  it("shows a run with retries and a hook, escapes a step's <script>, and resumes the hook from its form", async () => {
    const runId = await startDemo(server, { label: "browser" });
    const tab = await browser.newPage();
    await eventually(
      async () => {
        await tab.goto(`${server.url}${INSPECT}/runs/${runId}`);
        return (await tab.locator(".card[data-hook='o4']").count()) > 0 ? true : undefined;
      },
      60_000,
      "the hook",
    );
    expect(await tab.evaluate(() => (window as { __pwned?: boolean }).__pwned)).toBeUndefined();
    await expect(tab.locator("text=<script>window.__pwned = true</script>").first().isVisible()).resolves.toBe(true);
    await screenshot(tab, "inspector-dev-run-waiting");
    await tab.locator(".card[data-hook='o4'] textarea").fill('{"approved": false}');
    await tab.locator(".card[data-hook='o4'] button", { hasText: "Resume" }).click();
    await tab.waitForSelector(".status-completed", { timeout: 30_000 });
    await screenshot(tab, "inspector-dev-run-completed");
    const waits = await browser.newPage();
    await waits.goto(`${server.url}${INSPECT}/waits`);
    await screenshot(waits, "inspector-dev-waits");
  });
});
