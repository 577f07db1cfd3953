/**
 * Creating a run: its run_created appended as its first event, with a drive of it enqueued; for
 * start() from server code and for a child run.
 *
 * A child run names its parent and is created under the idempotency key
 * "hookline.child/<parent run id>/<corr>": a second creation for the same call, after a crash or a lost race, gets the first run back
 * (DuplicateStartError from the world, atomically with the creation), so a child is created once.
 */
import { randomBytes } from "node:crypto";
import { DuplicateStartError } from "../shared/errors.js";
import type { Serialized } from "../world/events.js";
import type { World } from "../world/world.js";
import type { Concurrency } from "./concurrency-slots.js";
import { newRunId } from "./ids.js";

export interface ChildRunRequest {
  parentRunId: string;
  /** The start() call's place in its parent (its correlation id). */
  corr: string;
  workflowId: string;
  /** As the workflow serialized them. */
  args: Serialized;
  /** The parent's webhook origin and trailing slash: a child's URLs look like its parent's. */
  origin: string | undefined;
  trailingSlash: boolean;
  /** The parent's bundle (a child runs the code that started it). */
  bundleId: string | undefined;
}

/** The idempotency key of a start() call in a workflow: the parent and the call's place. */
function childKey(parentRunId: string, corr: string): string {
  return `hookline.child/${parentRunId}/${corr}`;
}

/** What a new run records in its run_created, besides its seed. */
export interface NewRun {
  workflowId: string;
  /** As serialized by the caller. */
  args: Serialized;
  /** The origin its webhook URLs use, and whether they end in a slash (the app's trailingSlash). */
  origin?: string;
  trailingSlash: boolean;
  idempotencyKey?: string;
  idempotencyKeyExpiresAt?: number;
  concurrency?: Concurrency;
  parentRunId?: string;
  /** The run this one reruns. */
  rerunOf?: string;
  /** The workflow bundle that runs it (see bundle-store.ts); absent without a known bundle. */
  bundleId?: string;
}

/**
 * Appends a new run's run_created (with a drive of it enqueued) and returns its id. A key held by
 * another run throws the world's DuplicateStartError, naming that run: nothing was recorded.
 */
export async function createRun(world: World, run: NewRun, at = Date.now()): Promise<string> {
  const runId = newRunId();
  const { trailingSlash, ...fields } = run;
  const data = { ...fields, seed: randomBytes(16).toString("hex"), ...(trailingSlash ? { trailingSlash: true } : {}) };
  await world.append(runId, { type: "run_created", at, data }, { expectedSeq: 0, wake: {} });
  return runId;
}

/** The child's run id: created now, or found holding the call's key. */
export async function createChildRun(world: World, request: ChildRunRequest): Promise<string> {
  try {
    return await createRun(world, {
      workflowId: request.workflowId,
      args: request.args,
      ...(request.origin === undefined ? {} : { origin: request.origin }),
      trailingSlash: request.trailingSlash,
      idempotencyKey: childKey(request.parentRunId, request.corr),
      parentRunId: request.parentRunId,
      ...(request.bundleId === undefined ? {} : { bundleId: request.bundleId }),
    });
  } catch (error) {
    if (!DuplicateStartError.is(error)) throw error;
    return error.runId;
  }
}
