/** Per-file test database and the worlds a test opens on it, closed after each test. */
import { randomUUID } from "node:crypto";
import type { NewEvent } from "@hookline/core/world";
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { createPostgresWorld, type PostgresWorld, type PostgresWorldOptions } from "../../src/index.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

export interface TestWorlds {
  readonly db: TestDatabase;
  /** Background failures the worlds reported (instead of logging them). */
  readonly reported: Array<{ error: unknown; where: string }>;
  /** A started world on this file's database; several act as several app instances. */
  world(options?: Partial<PostgresWorldOptions>): Promise<PostgresWorld>;
  /** A world that is not started yet. */
  create(options?: Partial<PostgresWorldOptions>): PostgresWorld;
}

export function useTestWorlds(label: string): TestWorlds {
  let db: TestDatabase | undefined;
  const open = new Set<PostgresWorld>();
  const reported: Array<{ error: unknown; where: string }> = [];
  beforeAll(async () => {
    db = await createTestDatabase(inject("hooklinePostgresUrl"), label);
  });
  afterEach(async () => {
    await Promise.all([...open].map((world) => world.close()));
    open.clear();
    reported.length = 0;
  });
  afterAll(async () => {
    await db?.drop();
  });
  const create = (options: Partial<PostgresWorldOptions> = {}) => {
    if (!db) throw new Error("the test database is not ready (use worlds inside tests or hooks)");
    const world = createPostgresWorld({
      connectionString: db.url,
      schema: db.schema,
      onError: (error, where) => reported.push({ error, where }),
      ...options,
    });
    open.add(world);
    return world;
  };
  return {
    get db() {
      if (!db) throw new Error("the test database is not ready (use it inside tests or hooks)");
      return db;
    },
    reported,
    create,
    async world(options) {
      const world = create(options);
      await world.start();
      return world;
    },
  };
}

export const newRunId = () => `run_${randomUUID()}`;

export const at = () => Date.now();

/** Events as the runtime appends them. */
export const ev = {
  created: (workflowId = "wf//checkout"): NewEvent => ({
    type: "run_created",
    at: at(),
    data: { workflowId, args: [1], seed: "seed" },
  }),
  started: (): NewEvent => ({ type: "run_started", at: at(), data: {} }),
  completed: (result: unknown = "ok"): NewEvent => ({ type: "run_completed", at: at(), data: { result } }),
  cancelled: (): NewEvent => ({ type: "run_cancelled", at: at(), data: {} }),
  stepStarted: (corr: string, attempt = 1): NewEvent => ({
    type: "step_started",
    corr,
    at: at(),
    data: { stepId: "s//noop", attempt },
  }),
  stepCompleted: (corr: string, result: unknown = null): NewEvent => ({
    type: "step_completed",
    corr,
    at: at(),
    data: { stepId: "s//noop", result },
  }),
  hookCreated: (
    corr: string,
    tokenHash: string,
    extra: Partial<Extract<NewEvent, { type: "hook_created" }>["data"]> = {},
  ): NewEvent => ({
    type: "hook_created",
    corr,
    at: at(),
    data: { kind: "hook", tokenHash, ...extra },
  }),
  hookReceived: (corr: string, payload: unknown): NewEvent => ({
    type: "hook_received",
    corr,
    at: at(),
    data: { payload },
  }),
  hookRejected: (corr: string): NewEvent => ({
    type: "hook_rejected",
    corr,
    at: at(),
    data: { error: { message: "no" } },
  }),
  hookDisposed: (corr: string): NewEvent => ({ type: "hook_disposed", corr, at: at(), data: {} }),
  hookTimedOut: (corr: string): NewEvent => ({ type: "hook_timed_out", corr, at: at(), data: {} }),
};
