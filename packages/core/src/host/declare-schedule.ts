/**
 * `schedule(workflow, { cron, timezone, args, id })` beside a workflow, on the server: checks the
 * declaration (a cron or timezone that does not parse fails the module's load, naming the field)
 * and registers it for the runtime, which keeps the world's copy in step at start (scheduler.ts).
 * In the workflow sandbox the same call only returns the declaration (workflow/index.ts).
 */
import { InvalidArgumentError } from "../shared/errors.js";
import type { ScheduleDeclaration, ScheduleOptions } from "../shared/public-types.js";
import { serialize } from "../shared/serialization/index.js";
import { CronSchedule } from "./cron.js";
import { registries } from "./registry.js";
import { checkScheduleId } from "./schedule-id.js";

type AnyWorkflow = ((...args: never[]) => unknown) & { workflowId?: string };
type ArgsOf<W> = W extends (...args: infer A) => unknown ? A : unknown[];

export function schedule<W extends AnyWorkflow>(workflow: W, options: ScheduleOptions<ArgsOf<W>>): ScheduleDeclaration {
  const declaration = checkDeclaration(workflow, options, "schedule()");
  registries().schedules.set(declaration.id, declaration);
  return declaration;
}

/** The declaration `options` make for `workflow`, checked; InvalidArgumentError naming what is wrong. */
export function checkDeclaration(workflow: unknown, options: ScheduleOptions, call: string): ScheduleDeclaration {
  const workflowId = (workflow as { workflowId?: unknown } | null)?.workflowId;
  if (typeof workflowId !== "string" || workflowId.length === 0) {
    throw invalid(
      `${call}: the first argument must be a "use workflow" function imported from its file (compiled by withWorkflow()).`,
    );
  }
  if (typeof options !== "object" || options === null)
    throw invalid(`${call}: the options must be an object { cron, timezone?, args?, id? }.`);
  for (const name of Object.keys(options)) {
    if (!["cron", "timezone", "args", "id"].includes(name))
      throw invalid(`${call}: unknown option "${name}". Known options: cron, timezone, args, id.`);
  }
  // Without an id, the workflow's id (checked too: a very long one needs an id of its own).
  const id = checkScheduleId(options.id ?? workflowId, call);
  const where = `${call} (schedule "${id}")`;
  const cron = CronSchedule.parse(options.cron, options.timezone ?? "UTC", where);
  const args = options.args ?? [];
  if (!Array.isArray(args))
    throw invalid(`${where}: args must be an array of the workflow's arguments, e.g. args: ["ops"].`);
  // Arguments that cannot be recorded fail here, not at the first tick.
  serialize(args, `${where} args`);
  return Object.freeze({ id, workflowId, cron: cron.cron, timezone: cron.timezone, args: Object.freeze([...args]) });
}

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(message);
}
