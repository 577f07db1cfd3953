/**
 * Creating a child run: its run_created (naming its parent, under the idempotency key
 * "hookline.child/<parent run id>/<corr>") appended as its first event with a drive of it enqueued.
 * A second creation for the same call, after a crash or a lost race, gets the first run back
 * (DuplicateStartError from the world, atomically with the creation), so a child is created once.
 */
import { randomBytes } from "node:crypto";
import { DuplicateStartError } from "../shared/errors.js";
import type { Serialized } from "../world/events.js";
import type { World } from "../world/world.js";
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
}

/** The idempotency key of a start() call in a workflow: the parent and the call's place. */
function childKey(parentRunId: string, corr: string): string {
  return `hookline.child/${parentRunId}/${corr}`;
}

/** The child's run id: created now, or found holding the call's key. */
export async function createChildRun(world: World, request: ChildRunRequest): Promise<string> {
  const runId = newRunId();
  try {
    await world.append(
      runId,
      {
        type: "run_created",
        at: Date.now(),
        data: {
          workflowId: request.workflowId,
          args: request.args,
          seed: randomBytes(16).toString("hex"),
          ...(request.origin === undefined ? {} : { origin: request.origin }),
          ...(request.trailingSlash ? { trailingSlash: true } : {}),
          idempotencyKey: childKey(request.parentRunId, request.corr),
          parentRunId: request.parentRunId,
        },
      },
      { expectedSeq: 0, wake: {} },
    );
    return runId;
  } catch (error) {
    if (!DuplicateStartError.is(error)) throw error;
    return error.runId;
  }
}
