/**
 * defineHook on the server: `resume` validates the payload against the schema, then delivers it.
 * A definition with an `id` and a schema is registered in this process, so payloads resumed by
 * token (resumeHook, the inspector) to hooks it created are checked too (hook-definitions.ts).
 */
import { checkDefinitionId } from "../shared/hook-definition.js";
import type { DefineHookOptions, HookDefinition } from "../shared/public-types.js";
import { getRuntime } from "./global-runtime.js";
import { registerHookDefinition, validatePayload } from "./hook-definitions.js";
import { notInWorkflow } from "./outside-workflow.js";

export function defineHook<T = unknown>(options: DefineHookOptions<T> = {}): HookDefinition<T> {
  const id = checkDefinitionId(options.id);
  const schema = options.schema;
  if (id !== undefined && schema) registerHookDefinition(id, schema);
  return {
    create: () => notInWorkflow("defineHook().create()"),
    async resume(token: string, payload: T) {
      const value = schema ? await validatePayload(schema, payload, "the hook's schema") : payload;
      // Checked here already: the runtime need not look up the hook's definition again.
      return (await getRuntime()).resumeHook(token, value, { checked: schema !== undefined });
    },
  };
}
