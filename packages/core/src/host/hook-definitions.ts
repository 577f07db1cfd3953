/**
 * Hook definitions known to this server process (defineHook({ id, schema }) as the app's code
 * loads), and the check of a payload resumed by token or from the inspector against the schema of
 * the definition that created the hook (hook_created's `definition`). A payload that fails it
 * throws HookPayloadError naming each field, and nothing is recorded.
 *
 *   registerHookDefinition("approval-decision", schema);
 *   await definedPayload(world, record, { approved: "yes" }); // HookPayloadError: approved: Expected boolean …
 */
import { HookPayloadError } from "../shared/errors.js";
import type { StandardSchemaIssue, StandardSchemaV1 } from "../shared/public-types.js";
import type { HookRecord, World } from "../world/world.js";
import { registries } from "./registry.js";

type Schema = StandardSchemaV1<unknown, unknown>;

const KEY = Symbol.for("hookline.hook-definitions");

/** Definitions by id, on the process-wide registries (every copy of this package sees them). */
function definitions(): Map<string, Schema> {
  const slot = registries() as { [KEY]?: Map<string, Schema> };
  slot[KEY] ??= new Map();
  return slot[KEY];
}

/** Loading a module again (next dev) replaces its definitions: the id is the key. */
export function registerHookDefinition(id: string, schema: Schema): void {
  definitions().set(id, schema);
}

/** Whether this process has loaded the definition `id` (with a schema): only then are its hooks' payloads checked here. */
export function hookDefinitionLoaded(id: string): boolean {
  return definitions().has(id);
}

/** `payload` checked against `schema`: the schema's output, or HookPayloadError with its issues. */
export async function validatePayload(schema: Schema, payload: unknown, what: string): Promise<unknown> {
  const result = await schema["~standard"].validate(payload);
  if (result.issues)
    throw new HookPayloadError(`The payload does not match ${what}: ${formatIssues(result.issues)}`, result.issues);
  return result.value;
}

/**
 * The payload to record for hook `record`: checked against its definition's schema when the hook
 * was made by a definition this process knows; as given otherwise. Reads the run's log only when
 * some definition with a schema is loaded here.
 */
export async function definedPayload(world: World, record: HookRecord, payload: unknown): Promise<unknown> {
  const known = definitions();
  if (known.size === 0 || record.kind !== "hook") return payload;
  const events = await world.readEvents(record.runId);
  const created = events.find((e) => e.type === "hook_created" && e.corr === record.hookId);
  const id = created?.type === "hook_created" ? created.data.definition : undefined;
  const schema = id === undefined ? undefined : known.get(id);
  return schema ? validatePayload(schema, payload, `the schema of hook definition "${id}"`) : payload;
}

function formatIssues(issues: ReadonlyArray<StandardSchemaIssue>): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
