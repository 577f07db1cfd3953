/**
 * The inspector (/.well-known/workflow/v1/inspect) through the real routes of the example app:
 * `next start` hides it (404) without HOOKLINE_INSPECTOR_TOKEN and puts it behind a login with
 * it; every action checks the session, the origin and a CSRF token; values are escaped; no raw
 * webhook token ever appears. Chromium drives it behind its login, with screenshots in
 * test-artifacts/ (`next dev`, where it is open, is inspector-dev.test.ts).
 */
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./support/browser";
import {
  csrfOf,
  INSPECT,
  loginCookie,
  page,
  post,
  SECRET,
  startDemo,
  TOKEN,
  webhookTokenOf,
} from "./support/inspector";
import { eventually, type NextServer, startNext } from "./support/next-server";
import { postFormFrom } from "./support/post-from";
import { productionBuild } from "./support/production-build";

describe("the inspector under next start", () => {
  let server: NextServer | undefined;
  let browser: BrowserContext | undefined;
  /** Runs the Chromium test shows: one failed, one with refused deliveries. */
  const visit: { failed?: string; refused?: string } = {};
  beforeAll(async () => {
    await productionBuild();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("answers 404 everywhere without HOOKLINE_INSPECTOR_TOKEN", async () => {
    const hidden = await startNext("start", { env: { HOOKLINE_SECRET: SECRET } });
    try {
      for (const path of ["", "/waits", "/live", "/runs/wrun_x", "/login", "/assets/inspector.js"]) {
        expect([path, (await page(hidden, path)).status]).toEqual([path, 404]);
      }
      expect((await post(hidden, "/login", { token: "x" })).status).toBe(404);
    } finally {
      await hidden.stop();
    }
  });

  it("asks for the token, compares it, and keeps an httpOnly SameSite=Strict session", async () => {
    server = await startNext("start", {
      env: { HOOKLINE_SECRET: SECRET, HOOKLINE_INSPECTOR_TOKEN: TOKEN, LAB_WEBHOOK_SECRET: "lab-signing-secret" },
    });
    const first = await page(server, "");
    expect(first.status).toBe(401);
    expect(first.text).toContain('name="token"');
    expect(first.text).not.toContain("Runs</h1>");
    expect((await post(server, "/login", { token: "wrong" })).status).toBe(401);
    expect((await post(server, "/login", { token: TOKEN }, { origin: "https://evil.example" })).status).toBe(403);
    const login = await post(server, "/login", { token: TOKEN });
    expect(login.status).toBe(303);
    const setCookie = login.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(";")[0]!;
    expect((await page(server, "", cookie)).status).toBe(200);
    // A forged cookie (valid shape, wrong signature) is no session.
    expect((await page(server, "", `${cookie.split(".")[0]}.AAAA`)).status).toBe(401);
  });

  it("limits wrong tokens per address: the sixth login from it answers 429 with Retry-After, other addresses still log in", async () => {
    const login = `${server!.url}${INSPECT}/login`;
    const from = (address: string, token: string) => postFormFrom(login, { token }, address, { origin: server!.url });
    for (let i = 0; i < 5; i++) expect((await from("127.0.2.1", `wrong-${i}`)).status).toBe(401);
    const limited = await from("127.0.2.1", "wrong-5");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(Number(limited.headers["retry-after"])).toBeLessThanOrEqual(60);
    // The right token does not get through from the limited address either: guessing cannot go on.
    expect((await from("127.0.2.1", TOKEN)).status).toBe(429);
    const other = await from("127.0.2.2", TOKEN);
    expect(other.status).toBe(303);
    expect(String(other.headers["set-cookie"])).toMatch(/^hookline_inspector=/);
    // A forged X-Forwarded-For does not move the limited caller to a fresh address (no proxy hops are trusted).
    expect(
      (await postFormFrom(login, { token: TOKEN }, "127.0.2.1", { origin: server!.url, "x-forwarded-for": "10.9.8.7" }))
        .status,
    ).toBe(429);
  });

  it("shows a run: escaped values, truncation, retries, hooks, no raw webhook token; resumes its hook from a form", async () => {
    const cookie = await loginCookie(server!);
    const runId = await startDemo(server!, { label: "<img src=x onerror=alert(1)>" });
    const run = await eventually(
      async () => {
        const shown = await page(server!, `/runs/${runId}`, cookie);
        return shown.text.includes("Waiting webhook") ? shown : undefined;
      },
      30_000,
      "the demo run waiting",
    );
    expect(run.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(run.text).toContain("&lt;script&gt;window.__pwned = true&lt;/script&gt;");
    expect(run.text).not.toContain("<script>window.__pwned");
    expect(run.text).not.toContain("<img src=x");
    expect(run.text).toContain("flaky attempt 1 failed");
    expect(run.text).toContain("step flaky attempt 2 failed");
    expect(run.text).toMatch(/retry in \d+ ms/);
    expect(run.text).toContain("Show all 10,000 characters");
    expect(run.text).not.toContain(webhookTokenOf(runId));
    const waits = await page(server!, "/waits", cookie);
    expect(waits.text).toContain(runId);
    expect(waits.text).not.toContain(webhookTokenOf(runId));

    // Actions: refused without the CSRF token or from another origin, done with both.
    const csrf = csrfOf(run.text);
    const resume = `/runs/${runId}/hooks/o4/resume`;
    expect((await post(server!, resume, { payload: '{"approved":true}' }, { cookie })).status).toBe(403);
    expect(
      (await post(server!, resume, { csrf, payload: '{"approved":true}' }, { cookie, origin: "https://evil.example" }))
        .status,
    ).toBe(403);
    expect((await post(server!, resume, { csrf, payload: '{"approved":true}' })).status).toBe(401);
    const done = await post(server!, resume, { csrf, payload: '{"approved":true}' }, { cookie });
    expect(done.status).toBe(303);
    const finished = await eventually(
      async () => {
        const shown = await page(server!, `/runs/${runId}`, cookie);
        return shown.text.includes("status-completed") ? shown : undefined;
      },
      30_000,
      "the run to complete",
    );
    expect(finished.text).toContain("&quot;approved&quot;: true");
  });

  it("shows a failed run's error with its stack, cancels with a reason, reruns with the same arguments, linked both ways", async () => {
    const cookie = await loginCookie(server!);
    const failed = await startDemo(server!, { workflow: "inspectorFails", label: "order-77" });
    visit.failed = failed;
    const shown = await eventually(
      async () => {
        const p = await page(server!, `/runs/${failed}`, cookie);
        return p.text.includes("status-failed") ? p : undefined;
      },
      30_000,
      "the run to fail",
    );
    expect(shown.text).toContain("card declined for order-77");
    expect(shown.text).toMatch(/FatalError: card declined for order-77\s+at /);

    const csrf = csrfOf(shown.text);
    const rerun = await post(server!, `/runs/${failed}/rerun`, { csrf }, { cookie });
    expect(rerun.status).toBe(303);
    const rerunId = decodeURIComponent(rerun.headers.get("location")!.match(/\/runs\/([^?]+)/)![1]!);
    expect(rerunId).not.toBe(failed);
    const again = await eventually(
      async () => {
        const p = await page(server!, `/runs/${rerunId}`, cookie);
        return p.text.includes("status-failed") ? p : undefined;
      },
      30_000,
      "the rerun to fail too",
    );
    expect(again.text).toContain("card declined for order-77");
    // Linked both ways: the rerun names its original, the original lists its rerun.
    expect(again.text).toMatch(
      new RegExp(`<dt>Rerun of</dt><dd data-rerun-of="${failed}"><a href="${INSPECT}/runs/${failed}">`),
    );
    const original = await page(server!, `/runs/${failed}`, cookie);
    expect(original.text).toMatch(
      new RegExp(`<dt>Reruns</dt><dd data-reruns=""><a href="${INSPECT}/runs/${rerunId}">`),
    );
    expect(original.text).not.toContain("<dt>Rerun of</dt>");

    const waiting = await startDemo(server!, { label: "to-cancel" });
    await eventually(
      async () => ((await page(server!, `/runs/${waiting}`, cookie)).text.includes("Waiting hook") ? true : undefined),
      30_000,
      "the wait",
    );
    const cancel = await post(server!, `/runs/${waiting}/cancel`, { csrf, reason: "customer <left>" }, { cookie });
    expect(cancel.status).toBe(303);
    const cancelled = await page(server!, `/runs/${waiting}`, cookie);
    expect(cancelled.text).toContain("status-cancelled");
    expect(cancelled.text).toContain("customer &lt;left&gt;");
  });

  it("shows a webhook's refused deliveries (status, reason, method) without their body or the token", async () => {
    const cookie = await loginCookie(server!);
    const response = await fetch(`${server!.url}/api/lab/runs`, {
      method: "POST",
      body: JSON.stringify({ workflow: "labGuarded" }),
    });
    const { runId } = (await response.json()) as { runId: string };
    const token = webhookTokenOf(runId, "o1");
    visit.refused = runId;
    await eventually(
      async () => ((await page(server!, `/runs/${runId}`, cookie)).text.includes("Waiting webhook") ? true : undefined),
      30_000,
      "the webhook",
    );
    const url = `${server!.url}/.well-known/workflow/v1/webhook/${token}`;
    expect((await fetch(url, { method: "POST", body: '{"secret-body":1}' })).status).toBe(401);
    expect((await fetch(url, { method: "PUT", body: "{}" })).status).toBe(405);
    const shown = await eventually(
      async () => {
        const p = await page(server!, `/runs/${runId}`, cookie);
        return p.text.includes("Refused deliveries") && p.text.includes("<strong>405</strong>") ? p : undefined;
      },
      30_000,
      "the refusals on the run page",
    );
    expect(shown.text).toContain("<strong>401</strong>");
    expect(shown.text).not.toContain("secret-body");
    expect(shown.text).not.toContain(token);
  });

  it("lists runs newest first, filters, searches by id, counts per status and pages with a cursor", async () => {
    const cookie = await loginCookie(server!);
    const list = await page(server!, "?limit=2", cookie);
    const ids = [...list.text.matchAll(/<tr data-run="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    const next = list.text.match(/rel="next" href="([^"]+)"/)![1]!.replaceAll("&amp;", "&");
    const second = await fetch(`${server!.url}${next}`, { headers: { cookie } });
    const more = [...(await second.text()).matchAll(/<tr data-run="([^"]+)"/g)].map((m) => m[1]!);
    expect(more).toHaveLength(2);
    expect(more.some((id) => ids.includes(id))).toBe(false);
    const failed = await page(server!, "?status=failed", cookie);
    expect(failed.text).toMatch(/data-status="failed">failed <span class="count">[1-9]/);
    for (const m of failed.text.matchAll(/<tr data-run="[^"]+">.*?<\/tr>/g)) expect(m[0]).toContain("status-failed");
    const search = await page(server!, `?q=${ids[1]}`, cookie);
    expect(search.status).toBe(303);
    expect(search.headers.get("location")).toContain(`/runs/${ids[1]}`);
  });

  it("logs in with Chromium and shows the runs page", async () => {
    browser = await launchBrowser();
    const tab = await browser.newPage();
    await tab.goto(`${server!.url}${INSPECT}`);
    await tab.getByLabel("Inspector token").fill(TOKEN);
    await tab.getByRole("button", { name: "Log in" }).click();
    await tab.waitForSelector("h1:text('Runs')");
    await screenshot(tab, "inspector-start-runs");
    // Live, through the session cookie: a new run shows up without a reload.
    await tab.waitForFunction(() => document.querySelector(".live")?.textContent === "live", null, { timeout: 30_000 });
    await tab.evaluate(() => {
      const mark = () => {
        for (const row of document.querySelectorAll<HTMLElement>("tr[data-run]"))
          (window as unknown as Record<string, number>)[`seen:${row.dataset.run}`] ??= Date.now();
      };
      mark();
      new MutationObserver(mark).observe(document.body, { subtree: true, childList: true });
    });
    const live = await startDemo(server!, { workflow: "inspectorFails", label: "live-start" });
    await tab.waitForSelector(`tr[data-run="${live}"]`, { timeout: 10_000 });
    const seenAt = await tab.evaluate((id) => (window as unknown as Record<string, number>)[`seen:${id}`]!, live);
    const createdAt = Date.parse((await tab.locator(`tr[data-run="${live}"] time`).first().getAttribute("datetime"))!);
    console.log(
      `[inspector] next start: a new run appeared on the runs page ${seenAt - createdAt} ms after its run_created was appended`,
    );
    await tab.goto(`${server!.url}${INSPECT}/runs/${visit.failed}`);
    await tab.waitForSelector("text=card declined for order-77");
    await screenshot(tab, "inspector-start-failed-run");
    await tab.goto(`${server!.url}${INSPECT}/runs/${visit.refused}`);
    await tab.waitForSelector("table.refusals");
    await screenshot(tab, "inspector-start-refused-deliveries");
    const cookies = await browser.cookies();
    const session = cookies.find((c) => c.name === "hookline_inspector");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");
  });

  it("shows a run's stream: listed on the run, its chunks decoded and escaped, new ones live in Chromium, earlier ones by index", async () => {
    const answer = await fetch(`${server!.url}/api/answers`, {
      method: "POST",
      body: JSON.stringify({ question: "<b>why</b> streams" }),
    });
    const runId = ((await answer.json()) as { runId: string }).runId;
    const cookie = await loginCookie(server!);
    // The run's page lists the stream once its first word is written.
    await eventually(
      async () =>
        (await page(server!, `/runs/${runId}`, cookie)).text.includes('data-stream="default"') ? true : undefined,
      30_000,
      "the stream listed",
    );
    const tab = await browser!.newPage();
    await tab.goto(`${server!.url}${INSPECT}/runs/${runId}`);
    await tab.locator('table.streams tr[data-stream="default"] a').click({ timeout: 30_000 });
    await tab.waitForSelector("h1:text('Stream default')");
    await tab.waitForFunction(() => document.querySelector(".live")?.textContent === "live", null, { timeout: 30_000 });
    // Chunks written after the page loaded appear without a reload.
    const shown = () => tab.locator("table.chunks tr[data-index]").count();
    const atLoad = await shown();
    await eventually(
      async () => ((await shown()) >= atLoad + 5 ? true : undefined),
      30_000,
      "chunks written after the page loaded",
    );
    await screenshot(tab, "inspector-start-stream-live");
    // The run's end ends the stream: the page says so, still without a reload.
    await tab.waitForSelector("text=ended with its run", { timeout: 60_000 });
    const words = await tab.locator("table.chunks tr[data-index]").count();
    await screenshot(tab, "inspector-start-stream-ended");
    await tab.close();

    const first = await page(server!, `/runs/${runId}/streams/default?from=0`, cookie);
    expect(first.status).toBe(200);
    expect(first.text).toContain('<tr data-index="0"><td>0</td><td><pre class="value">You</pre>');
    // The question came back in a chunk: shown as text, never as markup.
    expect(first.text).toContain("&lt;b&gt;why&lt;/b&gt;");
    expect(first.text).not.toContain("<b>why</b>");
    const run = await page(server!, `/runs/${runId}`, cookie);
    expect(run.text).toMatch(
      new RegExp(`<tr data-stream="default"><td><a [^>]+><code>default</code></a></td><td>${words} chunks</td>`),
    );
    for (const path of [
      `/runs/${runId}/streams/a%2Fb`,
      `/runs/${runId}/streams/a%20b`,
      "/runs/wrun_nope/streams/default",
      `/runs/${runId}/streams/a%20b/live`,
    ]) {
      expect([path, (await page(server!, path, cookie)).status]).toEqual([path, 404]);
    }
    expect((await page(server!, `/runs/${runId}/streams/default`)).status).toBe(401);
  });

  it("wakes an hour's sleep from the Waits page in Chromium, and the run completes; waking it again changes nothing", async () => {
    const napping = await startDemo(server!, { workflow: "inspectorNaps", label: "nap-1" });
    const tab = await browser!.newPage();
    await tab.goto(`${server!.url}${INSPECT}/waits`);
    const row = tab.locator(`table.sleeps tr:has(a[href$="/runs/${napping}"])`);
    await row.waitFor({ timeout: 30_000 });
    await screenshot(tab, "inspector-start-waits-sleep");
    await row.getByRole("button", { name: "Wake now" }).click();
    await tab.waitForURL(new RegExp(`/runs/${napping}`));
    await tab.waitForSelector("text=Woke sleep");
    await tab.waitForSelector(".status-completed", { timeout: 30_000 });
    await tab.waitForSelector("text=awake: nap-1");
    await tab.waitForSelector("text=sleep woken early");
    await screenshot(tab, "inspector-start-woken-sleep");
    await tab.close();

    const cookie = await loginCookie(server!);
    const shown = await page(server!, `/runs/${napping}`, cookie);
    expect(shown.text).not.toContain("Wake now");
    const again = await post(server!, `/runs/${napping}/sleeps/o1/wake`, { csrf: csrfOf(shown.text) }, { cookie });
    expect(again.status).toBe(303);
    expect(decodeURIComponent(again.headers.get("location")!)).toContain("Sleep o1 had already ended.");
    expect((await page(server!, `/runs/${napping}`, cookie)).text.match(/sleep woken early/g)).toHaveLength(1);
  });
});

describe("the inspector's cancel by filter under next start", () => {
  let server: NextServer | undefined;
  beforeAll(async () => {
    await productionBuild();
    server = await startNext("start", { env: { HOOKLINE_SECRET: SECRET, HOOKLINE_INSPECTOR_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("cancels every running run of a workflow, and nothing else", async () => {
    const cookie = await loginCookie(server!);
    const failed = await startDemo(server!, { workflow: "inspectorFails", label: "keep" });
    const waiting = [await startDemo(server!, { label: "bulk-1" }), await startDemo(server!, { label: "bulk-2" })];
    for (const id of waiting) {
      await eventually(
        async () => ((await page(server!, `/runs/${id}`, cookie)).text.includes("Waiting hook") ? true : undefined),
        30_000,
        "the wait",
      );
    }
    const workflow = "workflow//workflows/inspector-demo.ts//inspectorDemo";
    const list = await page(server!, `?status=running&workflow=${encodeURIComponent(workflow)}`, cookie);
    expect(list.text).toContain("Cancel every running run of inspectorDemo");
    const done = await post(
      server!,
      "/cancel-many",
      { csrf: csrfOf(list.text), status: "running", workflow, reason: "bulk" },
      { cookie },
    );
    expect(done.status).toBe(303);
    expect(decodeURIComponent(done.headers.get("location")!)).toContain("Cancelled 2 runs: bulk");
    for (const id of waiting) expect((await page(server!, `/runs/${id}`, cookie)).text).toContain("status-cancelled");
    expect((await page(server!, `/runs/${failed}`, cookie)).text).toContain("status-failed");
    expect((await post(server!, "/cancel-many", { status: "running", workflow }, { cookie })).status).toBe(403);
  });
});
