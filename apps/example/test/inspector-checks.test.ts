/**
 * The inspector's checks on what it is asked and what it shows, under `next start`: a hook made by
 * defineHook({ id, schema }) is resumed from its form only with a payload that passes the schema
 * (a refused one is shown again with the failing fields, and nothing is recorded); a run whose
 * replay diverged shows the recorded call and the code's call side by side. Chromium drives both,
 * with screenshots in test-artifacts/.
 */
import { createLocalWorld } from "@hookline/world-local";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./support/browser";
import { csrfOf, INSPECT, loginCookie, page, post, SECRET, startDemo, TOKEN } from "./support/inspector";
import { eventually, type NextServer, startNext } from "./support/next-server";
import { productionBuild } from "./support/production-build";

const ENV = { HOOKLINE_SECRET: SECRET, HOOKLINE_INSPECTOR_TOKEN: TOKEN };
const NAPS = "workflow//workflows/inspector-demo.ts//inspectorNaps";
/** Runs planted for cancel by filter: more than its pages of 200 (and than the 500 it once stopped at). */
const BULK = 520;

describe("the inspector's checks under next start", () => {
  let server: NextServer | undefined;
  let browser: BrowserContext | undefined;
  beforeAll(async () => {
    await productionBuild();
    server = await startNext("start", { env: ENV });
    browser = await launchBrowser();
    const tab = await browser.newPage();
    await tab.goto(`${server.url}${INSPECT}`);
    await tab.getByLabel("Inspector token").fill(TOKEN);
    await tab.getByRole("button", { name: "Log in" }).click();
    await tab.waitForSelector("h1:text('Runs')");
    await tab.close();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const waitFor = (runId: string, text: string, what: string) =>
    eventually(
      async () => {
        const shown = await page(server!, `/runs/${runId}`, cookie);
        return shown.text.includes(text) ? shown : undefined;
      },
      30_000,
      what,
    );
  let cookie = "";

  it("resumes a defineHook({ id, schema }) hook only with a payload its schema accepts; a refused one records nothing", async () => {
    cookie = await loginCookie(server!);
    const runId = await startDemo(server!, { workflow: "expenseApproval", label: "exp-<7>" });
    const waiting = await waitFor(runId, "Waiting hook", "the approval's hook");
    expect(waiting.text).toContain(
      'checked against the schema of <code data-definition="approval-decision">approval-decision</code>',
    );

    // Through the form's own route: refused with 422, the failing fields named, the payload kept as typed (escaped).
    const resume = `/runs/${runId}/hooks/o1/resume`;
    const refused = await post(
      server!,
      resume,
      { csrf: csrfOf(waiting.text), payload: '{"approved":"yes","note":"<b>ok</b>"}' },
      { cookie },
    );
    expect(refused.status).toBe(422);
    const text = await refused.text();
    expect(text).toContain(
      "Not resumed: The payload does not match the schema of hook definition &quot;approval-decision&quot;: approved: Expected boolean, got string; reviewer: Expected string, got nothing",
    );
    expect(text).toContain(
      "{&quot;approved&quot;:&quot;yes&quot;,&quot;note&quot;:&quot;&lt;b&gt;ok&lt;/b&gt;&quot;}</textarea>",
    );
    expect(text).not.toContain("<b>ok</b>");
    const after = await page(server!, `/runs/${runId}`, cookie);
    expect(after.text).toContain("status-running");
    expect(after.text).toContain("Waiting hook");
    expect(after.text).not.toContain('data-type="hook_received"');

    // In Chromium: a wrong payload, then a right one.
    const tab = await browser!.newPage();
    await tab.goto(`${server!.url}${INSPECT}/runs/${runId}`);
    const form = tab.locator('[data-hook="o1"]');
    await form.locator("textarea").fill('{"approved": true}');
    await form.getByRole("button", { name: "Resume" }).click();
    await tab.waitForSelector('[data-refused="o1"]');
    expect(await tab.locator('[data-refused="o1"]').textContent()).toContain("reviewer: Expected string, got nothing");
    expect(await tab.locator('[data-hook="o1"] textarea').inputValue()).toBe('{"approved": true}');
    await screenshot(tab, "inspector-start-hook-schema-refused");
    await tab.locator('[data-hook="o1"] textarea').fill('{"approved": true, "reviewer": "ines"}');
    await tab.locator('[data-hook="o1"]').getByRole("button", { name: "Resume" }).click();
    await tab.waitForSelector(".status-completed", { timeout: 30_000 });
    await tab.waitForSelector("text=Resumed hook o1.");
    await screenshot(tab, "inspector-start-hook-schema-resumed");
    await tab.close();
    const done = await page(server!, `/runs/${runId}`, cookie);
    expect(done.text).toContain("&quot;reviewer&quot;: &quot;ines&quot;");
    expect(done.text.match(/data-type="hook_received"/g)).toHaveLength(1);
  });

  it("shows a replay divergence with the recorded call and the code's call side by side, arguments included", async () => {
    const runId = await startDemo(server!, { workflow: "inspectorShips", label: "order-9" });
    await waitFor(runId, 'data-sleep="o1"', "the run's sleep");
    const dataDir = server!.dataDir;
    await server!.stop();

    // Planted while the app is down: the sleep ended, then a step the code does not call there.
    const world = createLocalWorld({ dir: dataDir });
    await world.start();
    const events = await world.readEvents(runId);
    const last = events.at(-1)!.seq;
    await world.append(runId, { type: "sleep_completed", corr: "o1", at: Date.now(), data: {} }, { expectedSeq: last });
    await world.append(
      runId,
      {
        type: "step_started",
        corr: "o2",
        at: Date.now(),
        data: {
          stepId: "step//workflows/inspector-demo.ts//bookCourier",
          attempt: 1,
          args: ["order-9", { carrier: "<ups>" }],
        },
      },
      { expectedSeq: last + 1, wake: {} },
    );
    // And more running runs of one workflow than any page holds, for cancel by filter (next test).
    const createdAt = Date.now() - 60_000;
    for (let i = 0; i < BULK; i++) {
      const id = `wrun_bulk${String(i).padStart(4, "0")}`;
      await world.append(
        id,
        { type: "run_created", at: createdAt + i, data: { workflowId: NAPS, args: [`bulk-${i}`], seed: "s" } },
        { expectedSeq: 0 },
      );
      await world.append(id, { type: "run_started", at: createdAt + i, data: {} }, { expectedSeq: 1 });
    }
    await world.close();

    server = await startNext("start", { env: ENV, dataDir });
    cookie = await loginCookie(server);
    const failed = await waitFor(runId, "status-failed", "the diverged run to fail");
    const table = failed.text.match(/<table class="divergence">[\s\S]*?<\/table>/)?.[0] ?? "";
    expect(table).toContain(`(event ${last + 2}, step_started)`);
    expect(table).toContain(
      '<td data-side="recorded"><code>step &quot;step//workflows/inspector-demo.ts//bookCourier&quot;</code></td>',
    );
    expect(table).toMatch(/<td data-side="actual"><code>step &quot;[^&]*\/\/shipParcel&quot;<\/code><\/td>/);
    expect(table).toMatch(
      /<td data-side="recorded-args"><pre class="value">\[\s+&quot;order-9&quot;,\s+\{\s+&quot;carrier&quot;: &quot;&lt;ups&gt;&quot;\s+\}\s+\]<\/pre>/,
    );
    expect(table).toMatch(
      /<td data-side="actual-args"><pre class="value">\[\s+&quot;order-9&quot;,\s+\{\s+&quot;carrier&quot;: &quot;dhl&quot;,\s+&quot;express&quot;: true\s+\}\s+\]<\/pre>/,
    );
    expect(failed.text).toContain("ReplayDivergenceError");

    // The browser's session still holds: cookies ignore the port, and the secret and token are the same.
    const tab = await browser!.newPage();
    await tab.goto(`${server.url}${INSPECT}/runs/${runId}`);
    await tab.waitForSelector("table.divergence");
    await screenshot(tab, "inspector-start-replay-divergence");
    await tab.close();
  });

  it("cancels every one of 520 running runs of a workflow by filter, in Chromium, and says how many", async () => {
    const tab = await browser!.newPage();
    await tab.goto(`${server!.url}${INSPECT}?status=running&workflow=${encodeURIComponent(NAPS)}`);
    await tab.getByLabel("Reason for cancelling these runs").fill("bulk <cleanup>");
    await tab.getByRole("button", { name: "Cancel every running run of inspectorNaps" }).click();
    await tab.waitForSelector(`text=Cancelled ${BULK} runs: bulk <cleanup>`, { timeout: 60_000 });
    await screenshot(tab, "inspector-start-cancel-many");
    await tab.close();
    const left = await page(server!, `?status=running&workflow=${encodeURIComponent(NAPS)}`, cookie);
    expect(left.text).toContain("No runs.");
    const cancelled = await page(server!, `?status=cancelled&workflow=${encodeURIComponent(NAPS)}&limit=200`, cookie);
    expect(cancelled.text.match(/<tr data-run="wrun_bulk\d+">/g)).toHaveLength(200);
    expect((await page(server!, "/runs/wrun_bulk0000", cookie)).text).toContain("bulk &lt;cleanup&gt;");
  });
});
