/**
 * start() from server code: the checks of its arguments (the workflow in this build, the options),
 * then the run created with the current build's bundle id, so it replays with this code everywhere.
 * An idempotency key held by a run of the same workflow returns that run's id.
 */
import { DuplicateStartError, InvalidArgumentError, WorkflowNotRegisteredError } from "../shared/errors.js";
import { serializeAsync } from "../shared/serialization/index.js";
import type { World } from "../world/world.js";
import type { BundleStore } from "./bundle-store.js";
import { createRun } from "./run-creation.js";
import type { StartLink, WorkflowReference } from "./runtime.js";
import { checkStartOptions, describeValue, type StartOptions } from "./start-options.js";

export interface StartPort {
  world: World;
  baseUrl: string;
  trailingSlash: boolean;
  bundles: BundleStore;
}

/** Creates the run (or finds the one holding the idempotency key) and returns its id. */
export async function startRun(
  port: StartPort,
  workflow: WorkflowReference,
  args: unknown[],
  options: StartOptions,
  link: StartLink,
): Promise<string> {
  const workflowId = typeof workflow === "string" ? workflow : workflow?.workflowId;
  if (typeof workflowId !== "string" || workflowId.length === 0) {
    throw new InvalidArgumentError(
      `start(): the first argument must be a "use workflow" function imported from its file, got ${describeValue(workflow)}. Is the file compiled by withWorkflow() (does the function start with "use workflow")?`,
    );
  }
  if (!Array.isArray(args)) {
    throw new InvalidArgumentError(
      `start(): the arguments must be an array, e.g. start(workflow, [orderId]); got ${describeValue(args)}.`,
    );
  }
  const bundle = port.bundles.current();
  if (bundle && !bundle.workflowIds().has(workflowId)) {
    throw new WorkflowNotRegisteredError(
      `start(): workflow "${workflowId}" is not in this build. Known workflows: ${[...bundle.workflowIds()].join(", ") || "none"}.`,
    );
  }
  const { key, concurrency } = checkStartOptions(options);
  const recordedArgs = await serializeAsync(args, "args");
  const bundleId = await port.bundles.currentId();
  const at = Date.now();
  let runId: string;
  try {
    runId = await createRun(
      port.world,
      {
        workflowId,
        args: recordedArgs,
        origin: options.baseUrl ?? port.baseUrl,
        trailingSlash: port.trailingSlash,
        ...(key
          ? { idempotencyKey: key.key, ...(key.ttlMs === undefined ? {} : { idempotencyKeyExpiresAt: at + key.ttlMs }) }
          : {}),
        ...(concurrency ? { concurrency } : {}),
        ...(link.rerunOf === undefined ? {} : { rerunOf: link.rerunOf }),
        ...(bundleId === undefined ? {} : { bundleId }),
      },
      at,
    );
  } catch (error) {
    if (!DuplicateStartError.is(error)) throw error;
    if (error.workflowId !== workflowId) {
      throw new InvalidArgumentError(
        `start(): idempotency key ${JSON.stringify(key?.key)} already started run ${error.runId} of workflow "${error.workflowId}", so it cannot start workflow "${workflowId}". Use a key per workflow (e.g. prefix it with the workflow's name).`,
      );
    }
    return error.runId;
  }
  return runId;
}
