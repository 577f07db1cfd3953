/**
 * What compiled workflow code calls (see packages/transform/spec.md, workflow mode):
 * `registerWorkflow` for each "use workflow" function, `stepProxy` in place of each step body.
 */
import { serialize } from "../shared/serialization/index.js";
import { installDeterministicGlobals } from "./globals.js";
import { host } from "./kernel.js";
import { awaitOperation, nextCorr, registerWorkflowFn } from "./state.js";
import { WorkflowResponse } from "./webhook.js";

// Before any user module runs (the bundle imports this module first).
installDeterministicGlobals(globalThis as Record<string | symbol, unknown>, host());
// Workflow code may build a webhook's static answer with `new Response(...)`.
(globalThis as Record<string, unknown>).Response ??= WorkflowResponse;

export function registerWorkflow(id: string, fn: (...args: unknown[]) => unknown): void {
  registerWorkflowFn(id, fn);
}

export function stepProxy(stepId: string, closure?: () => Record<string, unknown>): (...args: unknown[]) => Promise<unknown> {
  return (...args: unknown[]) => {
    const corr = nextCorr();
    let recordedArgs: unknown;
    let recordedClosure: unknown;
    try {
      recordedArgs = serialize(args, "args");
      if (closure) recordedClosure = serialize(closure(), "closure");
    } catch (error) {
      return Promise.reject(error);
    }
    host().request({
      kind: "step",
      corr,
      stepId,
      args: recordedArgs,
      ...(closure ? { closure: recordedClosure } : {}),
    });
    return awaitOperation(corr);
  };
}
