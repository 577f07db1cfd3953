/**
 * Replays event logs committed to the repo (test/history/logs), written by earlier code,
 * against today's code: a change that breaks runs already in flight fails here.
 */
import { readdir, readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { hashToken, TokenIssuer } from "../src/host/tokens.js";
import { deserialize } from "../src/shared/serialization/index.js";
import { LOG_FORMAT_VERSION, type NewEvent, type WorkflowEvent } from "../src/world/events.js";
import { HISTORY_SECRET } from "./history/secret.js";
import { compileApp } from "./support/app.js";
import { runtimeFor } from "./support/runtimes.js";

interface HistoryLog {
  formatVersion: number;
  workflow: string;
  events: WorkflowEvent[];
  next: {
    resumeHook?: { token: string; payload: unknown };
    webhook?: { method: string; body: unknown };
    result: unknown;
  };
}

const logsDir = new URL("./history/logs/", import.meta.url);
const names = (await readdir(logsDir)).filter((f) => f.endsWith(".json"));

describe("committed event logs replay on today's code", async () => {
  const source = await readFile(new URL("./history/workflows.ts", import.meta.url), "utf8");
  const app = await compileApp({ "workflows/history.ts": source });

  test("there are logs to replay", () => {
    expect(names.length).toBeGreaterThanOrEqual(2);
  });

  test.each(names)("%s", async (name) => {
    const log = JSON.parse(await readFile(new URL(name, logsDir), "utf8")) as HistoryLog;
    expect(log.formatVersion).toBeLessThanOrEqual(LOG_FORMAT_VERSION);
    const runtime = await runtimeFor(app, { secret: HISTORY_SECRET });
    const runId = log.events[0]!.runId;
    for (const event of log.events) {
      const { v: _v, runId: _r, seq, ...rest } = event;
      await runtime.world.append(runId, rest as NewEvent, { expectedSeq: seq - 1 });
    }
    if (log.next.resumeHook) {
      await runtime.resumeHook(log.next.resumeHook.token, log.next.resumeHook.payload);
    }
    if (log.next.webhook) {
      const hook = (await runtime.world.listHooks({ runId, status: "active" }))[0]!;
      // The token is not in the log: replay re-derives it from the secret, as the URL was.
      const token = new TokenIssuer([HISTORY_SECRET]).webhookToken(runId, hook.hookId, hook.keyId)!;
      expect(hashToken(token)).toBe(hook.tokenHash);
      const response = await runtime.handleWebhook(
        token,
        new Request(`http://127.0.0.1:3000/.well-known/workflow/v1/webhook/${token}`, {
          method: log.next.webhook.method,
          body: JSON.stringify(log.next.webhook.body),
        }),
      );
      expect(response.status).toBe(202);
    }
    const end = await runtime.waitForEnd(runId);
    expect(end.type).toBe("run_completed");
    expect(deserialize((end as { data: { result: unknown } }).data.result)).toEqual(log.next.result);
  });
});
