/** defineHook on the server: `resume` validates the payload against the schema, then delivers it. */
import { HookPayloadError } from "../shared/errors.js";
import type { DefineHookOptions, HookDefinition, StandardSchemaIssue } from "../shared/public-types.js";
import { notInWorkflow } from "./outside-workflow.js";
import { getRuntime } from "./global-runtime.js";

export function defineHook<T = unknown>(options: DefineHookOptions<T> = {}): HookDefinition<T> {
  return {
    create: () => notInWorkflow("defineHook().create()"),
    async resume(token: string, payload: T) {
      let value: unknown = payload;
      if (options.schema) {
        const result = await options.schema["~standard"].validate(payload);
        if (result.issues) {
          throw new HookPayloadError(`The payload does not match the hook's schema: ${formatIssues(result.issues)}`, result.issues);
        }
        value = result.value;
      }
      return (await getRuntime()).resumeHook(token, value);
    },
  };
}

function formatIssues(issues: ReadonlyArray<StandardSchemaIssue>): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
