/**
 * The runtime of one process: consumes the world's queue, keeps recently driven runs warm
 * (bounded, least recently used evicted), starts runs and delivers hook payloads.
 */
import { randomBytes, randomUUID } from "node:crypto";
import {
  EventConflictError,
  HookNotFoundError,
  InvalidArgumentError,
  RunNotFoundError,
  WorkflowNotRegisteredError,
} from "../shared/errors.js";
import { serializeAsync } from "../shared/serialization/index.js";
import { endsHook, type NewEvent, TERMINAL_RUN_EVENTS, type WorkflowEvent } from "../world/events.js";
import type { Consumer, HookRecord, World } from "../world/world.js";
import { newRunId } from "./ids.js";
import { registries, type RegisteredStep } from "./registry.js";
import { Run } from "./run.js";
import { WorkflowBundle } from "./sandbox.js";
import type { RetryPolicy } from "./step-runner.js";
import { hashToken, TokenIssuer } from "./tokens.js";
import { resolveBaseUrl, resolveSecrets } from "./runtime-config.js";
import type { RunEnvironment } from "./warm-run.js";
import { WarmRuns } from "./warm-runs.js";
import { type WebhookCall, WebhookEndpoint, type WebhookEndpointOptions } from "./webhook-endpoint.js";
import { WebhookRequest } from "./webhook-request.js";

export interface RuntimeOptions {
  world: World;
  /** Deployment secret(s), current first. Default: HOOKLINE_SECRET (comma-separated), else the world's own (local). */
  secret?: string | string[];
  /** Base URL webhook URLs are built from, including any basePath. Default: HOOKLINE_BASE_URL, else http://localhost:$PORT. */
  baseUrl?: string;
  /** Webhook URLs end with "/" (the app redirects URLs without one, as Next's trailingSlash does). */
  trailingSlash?: boolean;
  /** The workflow bundle; default: the one registered in this process (see registerWorkflowBundle). */
  bundle?: { code: string; filename?: string };
  /** Steps; default: those registered in this process by step-mode code. */
  steps?: Map<string, RegisteredStep>;
  retry?: Partial<RetryPolicy>;
  /** Suspended runs kept in memory (default 1,000). */
  maxWarmRuns?: number;
  /** Runs driven at once (default 256). */
  concurrency?: number;
  /** Consume the world's queue (default true). A process that only starts runs may turn it off. */
  worker?: boolean;
  /**
   * Loads the workflow bundle and step registrations when a run must be driven and none are
   * registered yet (Next.js loads them with the generated routes; see @hookline/next).
   */
  ensureCode?: () => Promise<void>;
  /** The public webhook route's limits (rate, body, manual-response wait). */
  webhooks?: WebhookEndpointOptions;
  /** Where background failures are reported (default console.error). */
  onError?: (error: unknown, where: string) => void;
}

export interface StartOptions {
  /** Overrides the base URL recorded for this run's webhooks. */
  baseUrl?: string;
}

export type WorkflowReference = string | { readonly workflowId: string };

export class Runtime {
  readonly world: World;
  readonly tokens: TokenIssuer;
  readonly baseUrl: string;
  readonly #options: RuntimeOptions;
  readonly #env: RunEnvironment;
  readonly #warm: WarmRuns;
  readonly #eventListeners = new Set<(event: WorkflowEvent) => void>();
  readonly #appendWaiters = new Map<string, Set<() => void>>();
  readonly #stopAppends: () => void;
  readonly #unlistenBundle: () => void;
  #bundle: WorkflowBundle | null = null;
  #consumer: Consumer | null = null;
  #webhooks: WebhookEndpoint | null = null;

  private constructor(options: RuntimeOptions, tokens: TokenIssuer, baseUrl: string) {
    this.#options = options;
    this.world = options.world;
    this.tokens = tokens;
    this.baseUrl = baseUrl;
    const report = options.onError ?? ((error: unknown, where: string) => console.error(`[hookline] ${where}:`, error));
    this.#env = {
      world: this.world,
      tokens,
      retry: { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 3_600_000, ...options.retry },
      bundle: () => this.#currentBundle(),
      findStep: async (stepId) => {
        const steps = () => options.steps ?? registries().steps;
        if (!steps().has(stepId)) await options.ensureCode?.();
        return steps().get(stepId);
      },
      onEvent: (event) => {
        for (const listener of this.#eventListeners) listener(event);
      },
      report,
    };
    this.#warm = new WarmRuns(this.#env, options.maxWarmRuns ?? 1000);
    this.#stopAppends = this.world.onAppend((runId) => {
      const waiters = this.#appendWaiters.get(runId);
      if (!waiters) return;
      this.#appendWaiters.delete(runId);
      for (const wake of waiters) wake();
    });
    const onBundle = () => {
      this.#bundle = null;
      // Runs replay against the new code the next time they wake.
      this.#warm.dropIdle();
    };
    registries().bundleListeners.add(onBundle);
    this.#unlistenBundle = () => registries().bundleListeners.delete(onBundle);
  }

  static async create(options: RuntimeOptions): Promise<Runtime> {
    await options.world.start();
    const secrets = await resolveSecrets(options.secret, options.world);
    const runtime = new Runtime(options, new TokenIssuer(secrets), resolveBaseUrl(options.baseUrl));
    if (options.worker !== false) {
      runtime.#consumer = options.world.queue.consume((message) => runtime.#drive(message.runId), {
        concurrency: options.concurrency ?? 256,
      });
    }
    return runtime;
  }

  async close(): Promise<void> {
    await this.#consumer?.stop();
    this.#stopAppends();
    this.#unlistenBundle();
    this.#warm.clear();
    await this.world.close();
  }

  // -- runs --------------------------------------------------------------------------------------

  async start(workflow: WorkflowReference, args: unknown[] = [], options: StartOptions = {}): Promise<Run> {
    const workflowId = typeof workflow === "string" ? workflow : workflow?.workflowId;
    if (typeof workflowId !== "string" || workflowId.length === 0) {
      throw new InvalidArgumentError(
        `start(): the first argument must be a "use workflow" function imported from its file, got ${describe(workflow)}. Is the file compiled by withWorkflow() (does the function start with "use workflow")?`,
      );
    }
    if (!Array.isArray(args)) {
      throw new InvalidArgumentError(`start(): the arguments must be an array, e.g. start(workflow, [orderId]); got ${describe(args)}.`);
    }
    const bundle = this.#currentBundle();
    if (bundle && !bundle.workflowIds().has(workflowId)) {
      throw new WorkflowNotRegisteredError(
        `start(): workflow "${workflowId}" is not in this build. Known workflows: ${[...bundle.workflowIds()].join(", ") || "none"}.`,
      );
    }
    const recordedArgs = await serializeAsync(args, "args");
    const runId = newRunId();
    await this.world.append(
      runId,
      {
        type: "run_created",
        at: Date.now(),
        data: {
          workflowId,
          args: recordedArgs,
          seed: randomBytes(16).toString("hex"),
          origin: options.baseUrl ?? this.baseUrl,
          ...(this.#options.trailingSlash ? { trailingSlash: true } : {}),
        },
      },
      { expectedSeq: 0, wake: {} },
    );
    return new Run(runId, async () => this);
  }

  /** Cancels a run: it stops, its hooks end (their URLs answer 410), its timers never fire. */
  async cancel(runId: string, reason?: string): Promise<void> {
    const make = (): NewEvent => ({ type: "run_cancelled", at: Date.now(), data: reason === undefined ? {} : { reason } });
    const warm = this.#warm.peek(runId);
    if (warm) {
      await warm.appendExternal(() => (warm.terminal ? null : make()));
      return;
    }
    await this.appendToRun(runId, make, (events) => (events.some((e) => TERMINAL_RUN_EVENTS.has(e.type)) ? "skip" : "ok"));
  }

  /** The run's terminal event, once there is one. */
  async waitForEnd(runId: string): Promise<WorkflowEvent> {
    let ended: WorkflowEvent | undefined;
    let wake: (() => void) | undefined;
    // A run driven here announces its end in-process: no need to re-read the world on every append.
    const stop = this.onEvent((event) => {
      if (event.runId !== runId || !TERMINAL_RUN_EVENTS.has(event.type)) return;
      ended = event;
      wake?.();
    });
    try {
      for (;;) {
        if (ended) return ended;
        const next = this.#warm.peek(runId)
          ? new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, 5_000).unref();
            })
          : this.#nextAppend(runId);
        const end = ended ?? (await this.#endFromWorld(runId));
        if (end) return end;
        await next;
      }
    } finally {
      stop();
    }
  }

  async #endFromWorld(runId: string): Promise<WorkflowEvent | undefined> {
    const summary = await this.world.getRun(runId);
    if (!summary) throw new RunNotFoundError(`No run with id "${runId}".`);
    if (summary.status !== "completed" && summary.status !== "failed" && summary.status !== "cancelled") return undefined;
    const tail = await this.world.readEvents(runId, Math.max(0, summary.lastSeq - 8));
    return tail.findLast((event) => TERMINAL_RUN_EVENTS.has(event.type));
  }

  /** Resolves on the next append to `runId` anywhere, or after a while as a fallback. */
  #nextAppend(runId: string): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, 5_000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      const waiters = this.#appendWaiters.get(runId) ?? new Set<() => void>();
      this.#appendWaiters.set(runId, waiters);
      waiters.add(done);
    });
  }

  /** Listens to every event applied by runs warm in this process. */
  onEvent(listener: (event: WorkflowEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  // -- hooks -------------------------------------------------------------------------------------

  /** The active hook holding `token`, or HookNotFoundError. */
  async activeHook(token: string, kind?: HookRecord["kind"]): Promise<HookRecord> {
    if (typeof token !== "string" || token.length === 0) {
      throw new InvalidArgumentError("The hook token must be a non-empty string.");
    }
    const record = await this.world.getHook(hashToken(token));
    if (!record || (kind !== undefined && record.kind !== kind)) {
      throw new HookNotFoundError("No hook has this token. Check the token, or whether the hook was ever created.");
    }
    if (!this.hookIsActive(record)) {
      throw new HookNotFoundError(
        `The hook with this token has ended (run ${record.runId}): it was disposed or timed out, or its run finished.`,
      );
    }
    return record;
  }

  /** Whether hook `record` still accepts payloads: not ended, not expired, its secret still configured. */
  hookIsActive(record: HookRecord): boolean {
    return record.status === "active" && this.tokens.knows(record.keyId) && (record.expiresAt === undefined || record.expiresAt > Date.now());
  }

  /** Records an event for hook `record` at the end of its run's log, unless the hook ended first. */
  async appendToHook(record: HookRecord, make: () => NewEvent): Promise<WorkflowEvent> {
    const stored = await this.appendToRun(record.runId, make, (events) => {
      if (events.some((e) => endsHook(e, record.hookId))) throw new HookNotFoundError(`The hook ended (run ${record.runId}) before the payload was recorded.`);
      return "ok";
    });
    return stored!;
  }

  async resumeHook(token: string, payload: unknown): Promise<{ runId: string }> {
    const record = await this.activeHook(token);
    if (record.kind === "webhook") {
      throw new InvalidArgumentError("This token belongs to a webhook: deliver requests to it with resumeWebhook(token, request).");
    }
    return this.deliver(record, payload);
  }

  /** Delivers `payload` to the hook `record` (found by token, or through listHooks); a webhook takes a Request. */
  async deliver(record: HookRecord, payload: unknown): Promise<{ runId: string }> {
    if (record.kind === "webhook") {
      if (!(payload instanceof Request)) throw new InvalidArgumentError("A webhook's payload is a Request: pass the request to deliver.");
      payload = new WebhookRequest({
        method: payload.method,
        url: payload.url,
        headers: [...payload.headers.entries()],
        body: payload.body ? new Uint8Array(await payload.arrayBuffer()) : null,
        requestId: randomUUID(),
        manual: record.webhook?.respondWith === "manual",
      });
    }
    const recorded = await serializeAsync(payload, "payload");
    await this.appendToHook(record, () => ({ type: "hook_received", corr: record.hookId, at: Date.now(), data: { payload: recorded } }));
    return { runId: record.runId };
  }

  async rejectHook(token: string, error: unknown): Promise<{ runId: string }> {
    return this.reject(await this.activeHook(token), error);
  }

  /** Makes the `await` on hook `record` throw `error`. */
  async reject(record: HookRecord, error: unknown): Promise<{ runId: string }> {
    const reason = error instanceof Error ? error : new Error(String(error));
    const recorded = await serializeAsync(reason, "error");
    await this.appendToHook(record, () => ({ type: "hook_rejected", corr: record.hookId, at: Date.now(), data: { error: recorded } }));
    return { runId: record.runId };
  }

  /**
   * Appends to a run this process may not be driving, at the end of its log, re-checking the
   * events that beat it after a lost race. `check` sees those events (and, with scope
   * "whole-log", the whole log first) and returns "skip" to give up quietly or throws.
   */
  async appendToRun(
    runId: string,
    make: () => NewEvent,
    check: (events: WorkflowEvent[]) => "ok" | "skip",
    scope: "newer" | "whole-log" = "newer",
  ): Promise<WorkflowEvent | null> {
    let expectedSeq: number;
    if (scope === "whole-log") {
      const events = await this.world.readEvents(runId, 0);
      if (events.length === 0) throw new RunNotFoundError(`No run with id "${runId}".`);
      if (check(events) === "skip") return null;
      expectedSeq = events.at(-1)!.seq;
    } else {
      // A run warm here knows where its log ends (or nearly: a stale guess costs one conflict).
      const warm = this.#warm.peek(runId);
      const summary = warm ? null : await this.world.getRun(runId);
      if (!warm && !summary) throw new RunNotFoundError(`No run with id "${runId}".`);
      expectedSeq = warm ? warm.lastSeq : summary!.lastSeq;
    }
    for (;;) {
      try {
        return await this.world.append(runId, make(), { expectedSeq, wake: {} });
      } catch (error) {
        if (!EventConflictError.is(error)) throw error;
        const newer = await this.world.readEvents(runId, expectedSeq);
        if (check(newer) === "skip") return null;
        expectedSeq = newer.at(-1)?.seq ?? expectedSeq;
      }
    }
  }

  // -- webhooks ----------------------------------------------------------------------------------

  /** Answers a request to the public webhook route (see webhook-endpoint.ts for every status). */
  handleWebhook(token: string, request: Request, call?: WebhookCall): Promise<Response> {
    this.#webhooks ??= new WebhookEndpoint(this, this.#options.webhooks);
    return this.#webhooks.handle(token, request, call);
  }

  /** A request the user's own route received, delivered to the webhook holding `token`; HookNotFoundError if none is active. */
  resumeWebhook(token: string, request: Request): Promise<Response> {
    return this.handleWebhook(token, request, { forwarded: true });
  }

  report(error: unknown, where: string): void {
    this.#env.report(error, where);
  }

  // -- driving -----------------------------------------------------------------------------------

  async #drive(runId: string): Promise<void> {
    if (!this.#currentBundle()) await this.#options.ensureCode?.();
    const run = await this.#warm.get(runId);
    if (!run) return;
    try {
      await run.drive();
    } catch (error) {
      // Its memory may be ahead of or behind the log now: the next drive replays it from the log.
      this.#warm.drop(run);
      throw error;
    }
    if (run.terminal && run.idle) this.#warm.drop(run);
  }

  get warmRunCount(): number {
    return this.#warm.size;
  }

  #currentBundle(): WorkflowBundle | null {
    const source = this.#options.bundle ?? registries().bundle;
    if (!source) return null;
    if (this.#bundle?.source.code !== source.code) this.#bundle = new WorkflowBundle(source);
    return this.#bundle;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return `a plain function${value.name ? ` (${value.name})` : ""} without a workflowId`;
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}
