/**
 * Issue 12's holes, each tried the way an outside sender would, through the real generated route
 * of the example under `next start` (the shared production build): on the local world (one
 * server) and on PostgreSQL (two instances behind a proxy that appends X-Forwarded-For, trusted
 * as one hop). Senders bind their own loopback addresses (127.0.x.y) as distinct callers. No
 * lab workflow hands its URL to a step: the test rebuilds the token from the deployment secret,
 * so a raw token found at rest can only have come from a request.
 */
import { execFileSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "./support/instances";
import { eventually, type NextServer, startNext } from "./support/next-server";
import { createTestDatabase, type PostgresServer, resolvePostgresServer, type TestDatabase } from "./support/postgres";
import { productionBuild } from "./support/production-build";

const SECRET = "hardening-test-secret-0123456789abcdef0123456789ab";
const LAB_WEBHOOK_SECRET = "lab-signing-secret";
const ENV = {
  HOOKLINE_SECRET: SECRET,
  LAB_WEBHOOK_SECRET,
  // Small limits, so a test reaches them with a few requests; each test sends from addresses of its own.
  HOOKLINE_WEBHOOK_RATE_LIMIT: "20,0.05",
  HOOKLINE_WEBHOOK_BODY_TIMEOUT_MS: "3000",
};
const WEBHOOK_PATH = "/.well-known/workflow/v1/webhook/";

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One request from the loopback address `from`, with the exact path given (nothing re-encoded). */
function send(
  base: string,
  path: string,
  options: { from: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        path,
        method: options.method ?? "POST",
        headers: options.headers,
        localAddress: options.from,
        agent: false,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The token replay derives for a run's first operation (its webhook): HMAC of the secret, as tokens.ts does. */
const tokenOf = (runId: string) => createHmac("sha256", SECRET).update(`webhook:${runId}:o1`).digest("base64url");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

interface Refused {
  hookId: string;
  status: number;
  reason: string;
  method: string;
  headers: [string, string][];
  address?: string;
  count: number;
}

interface LabView {
  status: string;
  result?: Record<string, unknown>;
  error?: { name: string; code?: string; message: string };
  hooks: { hookId: string; tokenHashPrefix: string; status: string }[];
  refusals: Refused[];
}

interface Setup {
  /** Where outside senders reach the app (the proxy on PostgreSQL). */
  entry: string;
  /** Each instance's own URL. */
  instances: string[];
  /** Every byte the world keeps, as text (files of the local world, rows of every table). */
  storedText(): Promise<string>;
  /** The local world: the app's folder (a git repository) and the world's data folder in it. */
  local?: { app: string; dataDir: string };
}

function suite(name: string, setUp: () => Promise<Setup & { close(): Promise<void> }>) {
  describe(`webhooks under attack (${name} world)`, () => {
    let s: Setup & { close(): Promise<void> };
    beforeAll(async () => {
      await productionBuild();
      s = await setUp();
    });
    afterAll(async () => {
      await s?.close();
    });

    const lab = async (base: string, runId: string) => {
      const response = await fetch(`${base}/api/lab/runs/${runId}`);
      expect(response.status).toBe(200);
      return (await response.json()) as LabView;
    };
    /** Starts a lab workflow and returns its run id and webhook path, once the wait is recorded. */
    const startLab = async (workflow: string, extra: Record<string, unknown> = {}) => {
      const response = await fetch(`${s.instances[0]}/api/lab/runs`, {
        method: "POST",
        body: JSON.stringify({ workflow, ...extra }),
      });
      const { runId } = (await response.json()) as { runId: string };
      const token = tokenOf(runId);
      await eventually(
        async () =>
          (await lab(s.instances[0]!, runId)).hooks.some((h) => sha256(token).startsWith(h.tokenHashPrefix))
            ? true
            : undefined,
        30_000,
        `the webhook of ${workflow}`,
      );
      return { runId, token, path: `${WEBHOOK_PATH}${token}` };
    };
    const received = async (runId: string) => {
      const { events } = (await (await fetch(`${s.instances[0]}/api/integrations/runs/${runId}/events`)).json()) as {
        events: { type: string }[];
      };
      return events.filter((e) => e.type === "hook_received").length;
    };

    it("rate-limits each caller's own address: a flood of made-up tokens with forged X-Forwarded-For costs another sender nothing", async () => {
      const { runId, path } = await startLab("labInbox");
      const deliver = async (from: number, to: number) => {
        const answers = [];
        for (let i = from; i < to; i++)
          answers.push(
            await send(s.entry, path, { from: "127.0.0.5", headers: { "webhook-id": `evt_${i}` }, body: `{"i":${i}}` }),
          );
        return answers.map((a) => a.status);
      };
      expect(await deliver(0, 5)).toEqual(Array(5).fill(202));
      const attacker = "127.0.0.9";
      const flood = [];
      for (let i = 0; i < 100; i++) {
        const forged = {
          "x-forwarded-for": i % 2 === 0 ? `10.9.${i}.1` : "127.0.0.5",
          "content-type": "application/json",
        };
        flood.push(
          await send(s.entry, `${WEBHOOK_PATH}${sha256(`made-up-${i}`).slice(0, 43)}`, {
            from: attacker,
            headers: forged,
            body: "{}",
          }),
        );
      }
      expect(flood.filter((a) => a.status === 404).length).toBeGreaterThan(0);
      const limited = flood.filter((a) => a.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(25);
      expect(limited.every((a) => Number(a.headers["retry-after"]) >= 1)).toBe(true);
      // Pretending to be the other sender does not help, even on the real URL.
      const posing = await send(s.entry, path, {
        from: attacker,
        headers: { "x-forwarded-for": "127.0.0.5", "webhook-id": "posing" },
        body: "{}",
      });
      expect(posing.status).toBe(429);
      // The other sender goes on as if nothing happened.
      expect(await deliver(5, 15)).toEqual(Array(10).fill(202));
      await eventually(
        async () => ((await received(runId)) === 15 ? true : undefined),
        30_000,
        "fifteen deliveries recorded",
      );
      // The refusal on the real URL is kept for its webhook, with the attacker's address; made-up tokens are not.
      const view = await eventually(
        async () => {
          const found = await lab(s.instances[0]!, runId);
          return found.refusals.some((r) => r.status === 429) ? found : undefined;
        },
        15_000,
        "the 429 kept",
      );
      expect(view.refusals.find((r) => r.status === 429)).toMatchObject({
        method: "POST",
        address: attacker,
        count: 1,
      });
    });

    it("every caller of a repeated manual delivery gets the step's answer, and the delivery is recorded once", async () => {
      const { runId, path } = await startLab("labManual", { delayMs: 2_000 });
      const repeats = [];
      for (let i = 0; i < 10; i++) {
        // On PostgreSQL the repeats alternate between the instances.
        const base = s.instances[i % s.instances.length]!;
        repeats.push(
          send(base, path, {
            from: "127.0.1.2",
            headers: { "webhook-id": "evt_repeat", "content-type": "application/json" },
            body: '{"n":1}',
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const answers = await Promise.all(repeats);
      expect(answers.map((a) => [a.status, a.text])).toEqual(Array(10).fill([200, '{"answered":1}']));
      // A repeat after the answer gets it at once.
      const late = await send(s.instances.at(-1)!, path, {
        from: "127.0.1.2",
        headers: { "webhook-id": "evt_repeat" },
        body: '{"n":9}',
      });
      expect([late.status, late.text]).toEqual([200, '{"answered":1}']);
      expect(await received(runId)).toBe(1);
    });

    it("keeps no raw token anywhere at rest, yet the workflow and its step see the real URL and headers", async () => {
      const { runId, token, path } = await startLab("labRevealed");
      const url = `${s.entry}${path}`;
      // Every character escaped: not the token as text, but the token to anyone who decodes it.
      const encoded = [...token].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join("");
      const headers = {
        referer: url,
        "x-forwarded-uri": path,
        "x-original-url": `${path}?from=proxy`,
        cookie: `last=${token}`,
        "webhook-id": `evt-${token}`,
        "x-encoded": encoded,
        "content-type": "application/json",
      };
      // Refused first (a GET), then delivered: both carry the token in every header.
      expect((await send(s.entry, path, { from: "127.0.1.3", method: "GET", headers })).status).toBe(405);
      const query = `?back=${encodeURIComponent(url)}&t=${token}`;
      expect((await send(s.entry, `${path}${query}`, { from: "127.0.1.3", headers, body: '{"ok":true}' })).status).toBe(
        202,
      );

      const view = await eventually(
        async () => {
          const found = await lab(s.instances[0]!, runId);
          return found.status === "completed" && found.refusals.length > 0 ? found : undefined;
        },
        30_000,
        "the run to complete",
      );
      const shown = (text: string) => text.split(token).join("<T>");
      const { inWorkflow, inStep } = view.result as Record<string, Record<string, string>>;
      // The instance saw its own origin; the path, query and headers are what was sent, token and all.
      expect(inWorkflow!.url!.endsWith(shown(`${path}${query}`))).toBe(true);
      expect(inWorkflow).toMatchObject({
        referer: shown(url),
        originalUrl: shown(headers["x-original-url"]),
        forwardedUri: shown(path),
      });
      expect(inStep!.url!.endsWith(shown(`${path}${query}`))).toBe(true);
      expect(inStep).toMatchObject({
        tokenHash: sha256(token),
        referer: shown(url),
        originalUrl: shown(headers["x-original-url"]),
      });
      expect(view.refusals[0]).toMatchObject({ status: 405, method: "GET" });
      expect(JSON.stringify(view.refusals)).toContain("[token]");

      const stored = await s.storedText();
      expect(stored).toContain(sha256(token));
      expect(stored).toContain("[token]");
      expect(stored.includes(token), "the raw token is stored somewhere").toBe(false);
      expect(stored.includes(encoded), "the encoded token is stored somewhere").toBe(false);
    });

    it("keeps a webhook URL handed to steps and a child run out of storage, while the code holding it sees it whole", async () => {
      const { runId, token } = await startLab("labCarried");
      const view = await eventually(
        async () => {
          const found = await lab(s.instances[0]!, runId);
          return found.status === "completed" ? found : undefined;
        },
        30_000,
        "the run to complete",
      );
      const result = view.result as { url: string; stepGotIt: boolean; stepTokenHash: string; childGotIt: boolean };
      expect(result.url.endsWith(`${WEBHOOK_PATH}${token}`), result.url).toBe(true);
      expect(result).toMatchObject({ stepGotIt: true, stepTokenHash: sha256(token), childGotIt: true });

      const stored = await s.storedText();
      // Step arguments and results, the child's arguments and result, the run's result: each a marker naming the hook.
      expect(stored.split(`[token:${runId}/o1/`).length - 1).toBeGreaterThanOrEqual(5);
      expect(stored.includes(token), "the raw token is stored somewhere").toBe(false);
    });

    it("answers a drip-fed body with 408 at the body deadline and records nothing", async () => {
      const { runId, path } = await startLab("labInbox");
      // Straight to an instance: the test's proxy would buffer the body.
      const { hostname, port } = new URL(s.instances[0]!);
      let sent = 0;
      const answer = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: hostname,
            port,
            path,
            method: "POST",
            headers: { "content-length": "40" },
            localAddress: "127.0.1.4",
            agent: false,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        const drip = setInterval(() => {
          // One byte every 400 ms: never idle for long, 16 s for the whole body.
          if (sent < 40) req.write("x");
          sent++;
          if (sent >= 40) {
            clearInterval(drip);
            req.end();
          }
        }, 400);
        req.on("close", () => clearInterval(drip));
      });
      expect(answer).toBe(408);
      expect(sent).toBeLessThan(40);
      const view = await eventually(
        async () => {
          const found = await lab(s.instances[0]!, runId);
          return found.refusals.some((r) => r.status === 408) ? found : undefined;
        },
        15_000,
        "the 408 kept",
      );
      expect(view.refusals[0]!.reason).toMatch(/took longer than 3000 ms/);
      expect(await received(runId)).toBe(0);
    });

    it("answers a malformed token 404 and a trailing slash like no slash, never 500 or a redirect", async () => {
      const { path } = await startLab("labInbox");
      const from = { from: "127.0.1.5" };
      for (const odd of [
        "%",
        "%25",
        "%zz",
        "abc%2Fdef",
        `${path.slice(WEBHOOK_PATH.length, -1)}%${"41"}`,
        "a b".replace(" ", "%20"),
        `${path.slice(WEBHOOK_PATH.length)}/extra`,
      ]) {
        const answer = await send(s.entry, `${WEBHOOK_PATH}${odd}`, { ...from, body: "{}" });
        expect([odd, answer.status]).toEqual([odd, 404]);
      }
      expect(
        (await send(s.entry, `${path}/`, { ...from, headers: { "webhook-id": "slash" }, body: "{}" })).status,
      ).toBe(202);
      expect(
        (await send(s.entry, `${path}/?x=1`, { ...from, headers: { "webhook-id": "slash-query" }, body: "{}" })).status,
      ).toBe(202);
      const get = await send(s.entry, `${path}/`, { ...from, method: "GET" });
      expect([get.status, get.headers.allow]).toEqual([405, "POST"]);
      // The rest of the app keeps Next's own trailing-slash redirect.
      expect((await send(s.entry, "/checkout/", { ...from, method: "GET" })).status).toBe(308);
    });

    it("git-ignores the local world's data folder, which holds the deployment secret", async ({ skip }) => {
      if (!s.local) skip();
      const { app, dataDir } = s.local!;
      expect(await readFile(join(dataDir, ".gitignore"), "utf8")).toMatch(/^\*$/m);
      expect(JSON.parse(await readFile(join(dataDir, "world.json"), "utf8"))).toEqual({ layout: 1 });
      expect(
        execFileSync("git", ["-C", app, "status", "--porcelain", "--untracked-files=all"], { encoding: "utf8" }),
      ).toBe("");
    });

    it("refuses a chosen webhook token: the run fails naming the option", async () => {
      const response = await fetch(`${s.instances[0]}/api/lab/runs`, {
        method: "POST",
        body: JSON.stringify({ workflow: "labChosenToken" }),
      });
      const { runId } = (await response.json()) as { runId: string };
      const view = await eventually(
        async () => {
          const found = await lab(s.instances[0]!, runId);
          return found.status === "failed" ? found : undefined;
        },
        30_000,
        "the run to fail",
      );
      expect(view.error).toMatchObject({ code: "HOOKLINE_INVALID_ARGUMENT" });
      expect(view.error!.message).toMatch(/createWebhook\(\{ token \}\): a webhook's token is never chosen/);
      const result = await fetch(`${s.instances.at(-1)}/api/lab/runs/${runId}/result`);
      expect(result.status).toBe(409);
    });

    it("keeps refused deliveries to a known webhook beside its run: 401, 405, 413, 410, coalesced, bounded, without bodies", async () => {
      const { runId, path } = await startLab("labGuarded");
      const from = { from: "127.0.1.6" };
      const sign = (body: string) => createHmac("sha256", LAB_WEBHOOK_SECRET).update(body).digest("hex");
      expect(
        (await send(s.entry, path, { ...from, headers: { "x-lab-signature": "bad" }, body: "secret-body-1" })).status,
      ).toBe(401);
      expect((await send(s.entry, path, { ...from, method: "GET" })).status).toBe(405);
      const large = "x".repeat(100);
      expect(
        (await send(s.entry, path, { ...from, headers: { "x-lab-signature": sign(large) }, body: large })).status,
      ).toBe(413);
      for (let i = 0; i < 5; i++)
        expect(
          (await send(s.entry, path, { ...from, headers: { "x-lab-signature": "bad" }, body: "secret-body-2" })).status,
        ).toBe(401);
      expect(
        (await send(s.entry, path, { ...from, headers: { "x-lab-signature": sign("{}") }, body: "{}" })).status,
      ).toBe(202);
      await fetch(`${s.instances[0]}/api/lab/runs/${runId}/cancel`, { method: "POST" });
      expect(
        (await send(s.entry, path, { ...from, headers: { "x-lab-signature": sign("{}") }, body: "{}" })).status,
      ).toBe(410);

      const view = await eventually(
        async () => {
          const found = await lab(s.instances[0]!, runId);
          const refused401 = found.refusals.filter((r) => r.status === 401).reduce((n, r) => n + r.count, 0);
          return refused401 === 6 && found.refusals.some((r) => r.status === 410) ? found : undefined;
        },
        15_000,
        "every refusal kept",
      );
      if (s.instances.length === 1) {
        expect(view.refusals.map((r) => [r.status, r.count])).toEqual([
          [410, 1],
          [401, 5],
          [413, 1],
          [405, 1],
          [401, 1],
        ]);
      } else {
        // Each instance coalesces its own share of the repeats, so they may take an entry each.
        expect(new Set(view.refusals.map((r) => r.status))).toEqual(new Set([410, 401, 413, 405]));
        expect(view.refusals[0]!.status).toBe(410);
      }
      expect(view.refusals.find((r) => r.status === 401)).toMatchObject({
        reason: "The request's signature could not be verified.",
        method: "POST",
        address: "127.0.1.6",
      });
      expect(view.refusals.find((r) => r.status === 405)!.reason).toBe("This webhook accepts POST.");
      expect(JSON.stringify(view.refusals)).not.toMatch(/secret-body|xxxxxxxx/);
      expect(await received(runId)).toBe(1);
    });
  });
}

suite("local", async () => {
  // A new app's folder in a git repository: the world makes its data folder there.
  const app = await mkdtemp(join(tmpdir(), "hookline-hardening-app-"));
  execFileSync("git", ["init", "-q", app]);
  const dataDir = join(app, ".hookline");
  const uploads = await mkdtemp(join(tmpdir(), "hookline-hardening-uploads-"));
  const server: NextServer = await startNext("start", { dataDir, env: { ...ENV, EXAMPLE_UPLOADS_DIR: uploads } });
  await server.waitForOutput(/\[hookline\] runtime started/, 60_000);
  return {
    entry: server.url,
    instances: [server.url],
    local: { app, dataDir },
    async storedText() {
      const texts: string[] = [];
      const walk = async (dir: string) => {
        for (const entry of await readdir(dir)) {
          const path = join(dir, entry);
          if ((await stat(path)).isDirectory()) await walk(path);
          else texts.push(await readFile(path, "utf8"));
        }
      };
      await walk(dataDir);
      return texts.join("\n");
    },
    close: () => server.stop(),
  };
});

let pgServer: PostgresServer | undefined;
let db: TestDatabase | undefined;
let cluster: Cluster | undefined;

suite("postgres", async () => {
  pgServer = await resolvePostgresServer();
  db = await createTestDatabase(pgServer.url, "hardening");
  cluster = await startCluster({
    databaseUrl: db.url,
    names: ["a", "b"],
    env: { ...ENV, HOOKLINE_SECRET: SECRET, HOOKLINE_TRUST_PROXY_HOPS: "1" },
  });
  const database = db;
  return {
    entry: cluster.balancer.url,
    instances: cluster.instances.map((i) => i.server.url),
    async storedText() {
      const { rows: tables } = await database.admin<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
        [database.schema],
      );
      const texts: string[] = [];
      for (const { table_name } of tables) {
        const { rows } = await database.admin<{ row: string }>(
          `SELECT t::text AS row FROM "${database.schema}"."${table_name}" AS t`,
        );
        texts.push(...rows.map((r) => r.row));
      }
      return texts.join("\n");
    },
    async close() {
      await cluster?.close();
      await db?.drop();
      await pgServer?.stop();
    },
  };
});
