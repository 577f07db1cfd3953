/**
 * `hookline` as workflow code sees it: the workflow bundle resolves "hookline" here (export
 * condition "hookline-workflow"). Every export has the same signature as the host's entry.
 */
import { type Duration, resolveDeadline } from "../shared/duration.js";
import { ContextError, InvalidArgumentError } from "../shared/errors.js";
import { checkDefinitionId } from "../shared/hook-definition.js";
import { workflowMetadataInfo } from "../shared/metadata.js";
import type {
  DefineHookOptions,
  HookDefinition,
  ScheduleDeclaration,
  ScheduleOptions,
  StepMetadata,
  WorkflowMetadataInfo,
} from "../shared/public-types.js";
import { namespaceOption, WorkflowWritable } from "../shared/stream-ref.js";
import { createDefinedHook, type HookOptions } from "./hook.js";
import { host } from "./kernel.js";
import { awaitOperation, nextCorr } from "./state.js";

export * from "../shared/errors.js";
export type * from "../shared/public-types.js";
export {
  registerSerializableClass,
  type SerializableClass,
  WORKFLOW_DESERIALIZE,
  WORKFLOW_SERIALIZE,
} from "../shared/serialization/index.js";
export { fetch } from "./fetch.js";
export { createHook, Hook, type HookOptions } from "./hook.js";
export { createWebhook, Webhook, type WebhookOptions, WorkflowRequest, WorkflowResponse } from "./webhook.js";

/** A durable timer: survives restarts; `duration` is "10s"/"5m"/"2h"/"1d", ms, or a Date. */
export function sleep(duration: Duration): Promise<void> {
  const until = resolveDeadline(duration, Date.now(), "sleep()");
  const corr = nextCorr();
  host().request({ kind: "sleep", corr, until });
  return awaitOperation(corr) as Promise<void>;
}

/**
 * A deliberate change to a workflow that in-flight runs must not see: `if (patched("send-receipt")) { new } else { old }`.
 * True for a run that reaches this point on code that has it (recorded in its log), false when
 * replaying a run whose log passed this point without it. `patchId` is 1 to 128 characters.
 */
export function patched(patchId: string): boolean {
  if (typeof patchId !== "string" || patchId.length === 0 || patchId.length > 128) {
    throw new InvalidArgumentError(
      `patched(): the patch id must be a string of 1 to 128 characters, got ${JSON.stringify(patchId)}.`,
    );
  }
  return host().patched(patchId);
}

export function defineHook<T = unknown>(options: DefineHookOptions<T> = {}): HookDefinition<T> {
  const id = checkDefinitionId(options.id);
  return {
    create: (hookOptions?: HookOptions) => createDefinedHook<T>(hookOptions ?? {}, id),
    resume: () => {
      throw new ContextError(
        "defineHook().resume() delivers a payload from server code (a route, a server action); workflow code cannot resume hooks.",
        "HOOKLINE_SANDBOX",
      );
    },
  };
}

/** The run's stream (`namespace`, default "default") as a handle to pass to steps: only steps write. */
export function getWritable<T = unknown>(options?: { namespace?: string }): WritableStream<T> {
  return new WorkflowWritable(namespaceOption(options, "getWritable()")) as unknown as WritableStream<T>;
}

export function getWorkflowMetadata(): WorkflowMetadataInfo {
  return workflowMetadataInfo(host().metadata);
}

export function getStepMetadata(): StepMetadata {
  throw new ContextError('getStepMetadata() can only be called inside a "use step" function.', "HOOKLINE_NOT_IN_STEP");
}

/**
 * A schedule beside a workflow: the server checks and registers it (host/declare-schedule.ts); in
 * the sandbox, where the same file loads too, it is only the declaration, unchecked.
 */
export function schedule<W extends (...args: never[]) => unknown>(
  workflow: W,
  options: ScheduleOptions<W extends (...args: infer A) => unknown ? A : unknown[]>,
): ScheduleDeclaration {
  const workflowId = (workflow as { workflowId?: string }).workflowId ?? "";
  return Object.freeze({
    id: options.id ?? workflowId,
    workflowId,
    cron: options.cron,
    timezone: options.timezone ?? "UTC",
    args: Object.freeze([...(options.args ?? [])]),
  });
}
