/**
 * `hookline` on the server (steps, routes). Workflow-only functions fail with a clear error
 * here; inside workflows the bundle resolves "hookline" to ./workflow/index.ts instead, with
 * the same signatures.
 */

import { notInWorkflow } from "./host/outside-workflow.js";
import { registries } from "./host/registry.js";
import type { Duration } from "./shared/duration.js";
import { ContextError } from "./shared/errors.js";
import { workflowMetadataInfo } from "./shared/metadata.js";
import type { RequestWithResponse, StepMetadata, WorkflowMetadataInfo } from "./shared/public-types.js";
import { namespaceOption } from "./shared/stream-ref.js";
import type { Hook, HookOptions } from "./workflow/hook.js";
import type { Webhook, WebhookOptions } from "./workflow/webhook.js";
import "./host/webhook-request.js";

export { schedule } from "./host/declare-schedule.js";
export { defineHook } from "./host/define-hook.js";
export { fetch } from "./host/fetch-step.js";
export * from "./shared/errors.js";
export type * from "./shared/public-types.js";
export {
  registerSerializableClass,
  type SerializableClass,
  WORKFLOW_DESERIALIZE,
  WORKFLOW_SERIALIZE,
} from "./shared/serialization/index.js";
export type { Hook, HookOptions } from "./workflow/hook.js";
export type { Webhook, WebhookOptions, WorkflowRequest } from "./workflow/webhook.js";

export function sleep(_duration: Duration): Promise<void> {
  return notInWorkflow("sleep()");
}

/** Inside a workflow: whether this run reached this point on code that has the patch (see docs/deploys.md). */
export function patched(_patchId: string): boolean {
  return notInWorkflow("patched()");
}

export function createHook<T = unknown>(_options?: HookOptions): Hook<T> {
  return notInWorkflow("createHook()");
}

export function createWebhook(options: WebhookOptions & { respondWith: "manual" }): Webhook<RequestWithResponse>;
export function createWebhook(options?: WebhookOptions): Webhook<Request>;
export function createWebhook(_options?: WebhookOptions): Webhook<Request> {
  return notInWorkflow("createWebhook()");
}

/**
 * In a step: a WritableStream into the run's stream (`namespace`, default "default"); each
 * `write()` resolves once the chunk is stored. In a workflow, the handle to pass to steps.
 */
export function getWritable<T = unknown>(options?: { namespace?: string }): WritableStream<T> {
  const namespace = namespaceOption(options, "getWritable()");
  const step = registries().currentStep.getStore();
  if (!step) {
    throw new ContextError(
      'getWritable() can only be called inside a "use workflow" function (to pass to steps) or a "use step" function (to write).',
      "HOOKLINE_NOT_IN_WORKFLOW",
    );
  }
  return step.writable(namespace) as WritableStream<T>;
}

/** In a step: the run it belongs to. */
export function getWorkflowMetadata(): WorkflowMetadataInfo {
  const step = registries().currentStep.getStore();
  if (!step) return notInWorkflow("getWorkflowMetadata()");
  return workflowMetadataInfo({ ...step, startedAt: step.runStartedAt });
}

export function getStepMetadata(): StepMetadata {
  const step = registries().currentStep.getStore();
  if (!step) {
    throw new ContextError(
      'getStepMetadata() can only be called inside a "use step" function.',
      "HOOKLINE_NOT_IN_STEP",
    );
  }
  return {
    stepId: step.stepId,
    stepName: step.stepName,
    attempt: step.attempt,
    idempotencyKey: `${step.runId}:${step.corr}`,
    stepStartedAt: new Date(step.firstStartedAt),
    attemptStartedAt: new Date(step.startedAt),
    runId: step.runId,
  };
}
