/**
 * The inspector's actions, each through the runtime's public operations (so each is recorded in
 * the run's log like any other change): cancel with a reason, rerun with the same arguments,
 * wake a sleep now, resume a hook with a JSON payload (a webhook gets it as a POST request's
 * body), reject a hook. A resume the hook's defineHook schema refuses records nothing and shows
 * the form again with the reason (see hook-definitions.ts in core).
 */
import { hookDefinitionLoaded, type Runtime } from "@hookline/core/runtime";
import { HookPayloadError, type RunStatus, type WorkflowEvent } from "@hookline/core/world";
import { inRange, rangeOf, startOf, type TimeRange } from "./time-range.js";

/** What the inspector needs of the runtime. */
export type ActionPort = Pick<Runtime, "world" | "start" | "cancel" | "deliver" | "reject" | "wakeSleep" | "rerun">;

export interface Outcome {
  /** The run to show next. */
  runId?: string;
  message: string;
  /** A refused resume: the run page is shown again (422) with the payload as typed and why it was refused. */
  refused?: ResumeDraft;
}

export interface ResumeDraft {
  hookId: string;
  payload: string;
  error: string;
}

export async function runAction(runtime: ActionPort, route: string[], form: FormData): Promise<Outcome | null> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  if (route.length === 1 && route[0] === "cancel-many") {
    return cancelMany(
      runtime,
      field("status"),
      field("workflow"),
      rangeOf({ get: field }),
      field("reason").trim() || undefined,
    );
  }
  if (route[0] !== "runs" || !route[1]) return null;
  const runId = route[1];
  const summary = await runtime.world.getRun(runId);
  if (!summary) return { message: `No run with id ${runId}.` };
  try {
    if (route.length === 3 && route[2] === "cancel") {
      const reason = field("reason").trim() || undefined;
      await runtime.cancel(runId, reason);
      return { runId, message: `Cancelled${reason ? `: ${reason}` : "."}` };
    }
    if (route.length === 3 && route[2] === "rerun") {
      const run = await runtime.rerun(runId);
      return { runId: run.runId, message: `Started as a rerun of ${runId}.` };
    }
    if (route.length === 5 && route[2] === "sleeps" && route[4] === "wake") {
      const woken = await runtime.wakeSleep(runId, route[3]!);
      return { runId, message: woken ? `Woke sleep ${route[3]}.` : `Sleep ${route[3]} had already ended.` };
    }
    if (route.length === 5 && route[2] === "hooks" && (route[4] === "resume" || route[4] === "reject")) {
      const hook = (await runtime.world.listHooks({ runId, status: "active" })).find((h) => h.hookId === route[3]);
      if (!hook) return { runId, message: `Hook ${route[3]} is not waiting any more.` };
      if (route[4] === "reject") {
        await runtime.reject(hook, new Error(field("message").trim() || "Rejected from the inspector."));
        return { runId, message: `Rejected hook ${hook.hookId}.` };
      }
      const text = field("payload");
      const refuse = (error: string): Outcome => ({
        runId,
        message: error,
        refused: { hookId: hook.hookId, payload: text, error },
      });
      const definition =
        hook.kind === "hook" ? definitionOf(await runtime.world.readEvents(runId), hook.hookId) : undefined;
      if (definition !== undefined && !hookDefinitionLoaded(definition)) {
        // Unchecked, the run could get a payload its code does not expect: only a process that has the schema delivers it.
        return refuse(
          `The hook was made by defineHook "${definition}", whose schema is not loaded in this process, so the payload cannot be checked. Resume it from the app's own inspector.`,
        );
      }
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch (error) {
        return refuse(`The payload is not JSON: ${(error as Error).message}`);
      }
      if (hook.kind === "webhook") {
        const method = hook.webhook?.methods.includes("POST") ? "POST" : (hook.webhook?.methods[0] ?? "POST");
        const request = new Request("http://inspector.invalid/", {
          method,
          headers: { "content-type": "application/json" },
          body: method === "GET" || method === "HEAD" ? undefined : JSON.stringify(payload),
        });
        const { response } = await runtime.deliver(hook, request);
        return { runId, message: `Delivered to webhook ${hook.hookId}; it answered ${response?.status ?? "nothing"}.` };
      }
      try {
        await runtime.deliver(hook, payload);
      } catch (error) {
        // The schema of the defineHook({ id }) that made the hook refused it: nothing was recorded.
        if (HookPayloadError.is(error)) return refuse(error.message);
        throw error;
      }
      return { runId, message: `Resumed hook ${hook.hookId}.` };
    }
  } catch (error) {
    return { runId, message: `Failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  return null;
}

/** Runs read per page by "cancel by filter": what it holds in memory at once. */
export const CANCEL_PAGE = 200;

/**
 * Cancels every pending or running run matching the filter, however many: pages through
 * listRuns newest first with its cursor (a cancelled run keeps its place in that order, so
 * cancelling does not shift the pages), one page in memory at a time. Runs created after the
 * action started are newer than its first page and left alone. A time range starts the listing
 * at its end and stops it at the first run older than its start.
 */
async function cancelMany(
  runtime: ActionPort,
  status: string,
  workflow: string,
  range: TimeRange,
  reason: string | undefined,
): Promise<Outcome> {
  const statuses: RunStatus[] = status === "pending" || status === "running" ? [status] : ["pending", "running"];
  let cancelled = 0;
  let before = startOf(range, undefined);
  for (;;) {
    const page = await runtime.world.listRuns({
      status: statuses,
      workflowId: workflow || undefined,
      limit: CANCEL_PAGE,
      before,
    });
    const runs = page.filter((run) => inRange(range, run.createdAt));
    for (const run of runs) {
      try {
        await runtime.cancel(run.runId, reason);
        cancelled++;
      } catch {
        // A run that ended meanwhile is fine to skip.
      }
    }
    const last = runs.at(-1);
    if (!last || runs.length < CANCEL_PAGE) break;
    before = { createdAt: last.createdAt, runId: last.runId };
  }
  return { message: `Cancelled ${cancelled} run${cancelled === 1 ? "" : "s"}${reason ? `: ${reason}` : "."}` };
}

/** The id of the defineHook({ id }) that made hook `hookId`, from its hook_created. */
export function definitionOf(events: readonly WorkflowEvent[], hookId: string): string | undefined {
  const created = events.find((e) => e.type === "hook_created" && e.corr === hookId);
  return created?.type === "hook_created" ? created.data.definition : undefined;
}
