/** Types shared by the host and workflow entries of `hookline`, so both have one signature. */
import type { Hook, HookOptions } from "../workflow/hook.js";

/** The Standard Schema interface (https://standardschema.dev), as zod, valibot and others implement it. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> };
export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

export interface DefineHookOptions<T> {
  /** Payloads passed to `resume` must pass this schema; failures throw HookPayloadError with the issues. */
  schema?: StandardSchemaV1<unknown, T>;
  /**
   * The definition's id, unique in the app and stable across deploys (1 to 128 characters, e.g.
   * "approval-decision"). Each hook `create()` makes records it (hook_created's `definition`), so
   * a payload that does not come through this definition's `resume` — the inspector's form,
   * `resumeHook(token, payload)` — is checked against `schema` too, in any server process that
   * loaded this definition.
   */
  id?: string;
}

export interface HookDefinition<T> {
  /** In a workflow: create a hook whose payloads are typed `T`. */
  create(options?: HookOptions): Hook<T>;
  /** On the server: validate `payload` and deliver it to the hook holding `token`. */
  resume(token: string, payload: T): Promise<{ runId: string }>;
}

export interface WorkflowMetadataInfo {
  runId: string;
  workflowId: string;
  workflowName: string;
  startedAt: Date;
  /** The origin webhook URLs of this run are built from. */
  url: string;
  /** Workflow SDK names for the same values. */
  workflowRunId: string;
  workflowStartedAt: Date;
}

export interface StepMetadata {
  stepId: string;
  stepName: string;
  /** 1 on the first attempt. */
  attempt: number;
  /** Stable across the attempts of this step call, unique per call: pass it to outside APIs. */
  idempotencyKey: string;
  /** When the step's first attempt started, as in the Workflow SDK (so after a retry it lies further back). */
  stepStartedAt: Date;
  /** When this attempt started (the first attempt's: stepStartedAt). */
  attemptStartedAt: Date;
  runId: string;
}

/**
 * A request a `respondWith: "manual"` webhook yields, typed as the Workflow SDK types it: a
 * `Request` whose `respondWith(response)` answers the waiting HTTP caller (call it in a step).
 */
export interface RequestWithResponse extends Request {
  respondWith(response: Response): Promise<void>;
}

/** `schedule(workflow, options)` beside a workflow, and `createSchedule(workflow, options)` at run time. */
export interface ScheduleOptions<A extends unknown[] = unknown[]> {
  /** 5 fields (`"0 9 * * 1-5"`: minute hour day-of-month month day-of-week), or 6 with seconds first. */
  cron: string;
  /** The IANA timezone the expression is read in (default "UTC"), e.g. "Europe/Berlin". */
  timezone?: string;
  /** The workflow's arguments for every tick (default none). */
  args?: A;
  /**
   * The schedule's id: 1 to 128 bytes, unique among all schedules. Declared schedules default to
   * the workflow's id (give each schedule of one workflow its own); createSchedule requires one.
   */
  id?: string;
}

/** A schedule declared beside its workflow (what `schedule()` returns; the runtime picks it up when the file loads). */
export interface ScheduleDeclaration {
  readonly id: string;
  readonly workflowId: string;
  readonly cron: string;
  readonly timezone: string;
  readonly args: readonly unknown[];
}
