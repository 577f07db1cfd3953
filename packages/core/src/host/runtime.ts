/**
 * The runtime of one process: consumes the world's queue and keeps recently driven runs warm
 * (bounded, least recently used evicted). It composes the parts that do the work, each in its
 * own file: the run log for outside writers (run-log.ts), the waiter for a run's events
 * (run-waiter.ts), hook and webhook delivery (hook-delivery.ts, webhook-delivery.ts), the public
 * webhook route (webhook-endpoint.ts), the refusals kept beside the logs (refusal-log.ts) and
 * cron schedules, whose timers come through the same queue (scheduler.ts).
 */
import { InvalidArgumentError } from "../shared/errors.js";
import type { ScheduleDeclaration, ScheduleOptions } from "../shared/public-types.js";
import { type NewEvent, TERMINAL_RUN_EVENTS, type WorkflowEvent } from "../world/events.js";
import type { Consumer, HookRecord, World } from "../world/world.js";
import { BundleStore } from "./bundle-store.js";
import { afterRunEnd, type FamilyPort } from "./child-runs.js";
import { ConcurrencySlots } from "./concurrency-slots.js";
import { DirectDrives } from "./direct-drives.js";
import { HookDelivery, type ResumeOptions } from "./hook-delivery.js";
import { RefusalLog } from "./refusal-log.js";
import { type RegisteredStep, registries } from "./registry.js";
import { rerun } from "./rerun.js";
import { Run } from "./run.js";
import { createChildRun } from "./run-creation.js";
import type { RunEnvironment } from "./run-environment.js";
import { RunLog } from "./run-log.js";
import { RunWaiter } from "./run-waiter.js";
import {
  resolveBaseUrl,
  resolveSecrets,
  resolveStreamLimits,
  resolveWebhookSettings,
  type WebhookSettings,
} from "./runtime-config.js";
import { scheduleIdOfTimer } from "./schedule-id.js";
import { type ScheduleInfo, Scheduler } from "./scheduler.js";
import { describeValue, type StartOptions } from "./start-options.js";
import { startRun } from "./start-run.js";
import type { RetryPolicy } from "./step-runner.js";
import type { StreamLimits } from "./streams/stream-writer.js";
import { TokenIssuer } from "./tokens.js";
import { type UpgradeResult, upgradeRun } from "./upgrade-run.js";
import { revealValueTokens } from "./value-tokens.js";
import { wakeSleep } from "./wake-sleep.js";
import { WarmRuns } from "./warm-runs.js";
import { WebhookDelivery } from "./webhook-delivery.js";
import { type WebhookCall, WebhookEndpoint } from "./webhook-endpoint.js";

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
  /**
   * The public webhook route's limits: per-address rate (`false`: none), body idle and total
   * deadlines, the default wait for a manual answer. Default: the HOOKLINE_WEBHOOK_* environment
   * variables (see runtime-config.ts), else bursts of 120 then 20/s, 10 s, 30 s, 30 s.
   */
  webhooks?: Partial<WebhookSettings>;
  /** Limits of the runs' streams: `maxChunkBytes` (default HOOKLINE_STREAM_MAX_CHUNK_BYTES, else 1 MiB). */
  streams?: Partial<StreamLimits>;
  /** Schedules declared beside workflows; default: those registered in this process by step-mode code (once a bundle is). */
  schedules?: Iterable<ScheduleDeclaration>;
  /**
   * How long a run of another build waits for an instance that has a step this build lacks (a
   * rolling deploy), before failing with StepNotRegisteredError. Default: 0 on the local world
   * (one machine: no other instance), else 10 minutes. See docs/deploys.md.
   */
  missingStepWaitMs?: number;
  /** Stored bundles no unfinished run needs are removed once this long unused (default 1 hour). */
  bundleGraceMs?: number;
  /** Where background failures are reported (default console.error). */
  onError?: (error: unknown, where: string) => void;
}

export type { StartOptions } from "./start-options.js";

/** What start() records about where a run came from, set by the runtime itself (never a user's option). */
export interface StartLink {
  /** The run this one reruns (see rerun.ts). */
  rerunOf?: string;
}

export type WorkflowReference = string | { readonly workflowId: string };

export class Runtime {
  /** The world, for reads (listing runs and hooks); every write goes through the parts below. */
  readonly world: World;
  readonly baseUrl: string;
  readonly #options: RuntimeOptions;
  readonly #env: RunEnvironment;
  readonly #warm: WarmRuns;
  readonly #log: RunLog;
  readonly #direct: DirectDrives;
  readonly #waiter: RunWaiter;
  readonly #hooks: HookDelivery;
  readonly #refusals: RefusalLog;
  readonly #webhooks: WebhookDelivery;
  readonly #endpoint: WebhookEndpoint;
  readonly #scheduler: Scheduler;
  readonly #unlistenBundle: () => void;
  /** What a run's end does to its parent and children (child-runs.ts). */
  readonly #family: FamilyPort = {
    wake: (runId) => this.world.queue.enqueue({ runId }, { key: `drive:${runId}` }),
    cancel: (runId, reason) => this.cancel(runId, reason),
  };
  readonly #slots: ConcurrencySlots;
  readonly #bundles: BundleStore;
  #consumer: Consumer | null = null;

  private constructor(options: RuntimeOptions, tokens: TokenIssuer, baseUrl: string, webhooks: WebhookSettings) {
    this.#options = options;
    this.world = options.world;
    this.baseUrl = baseUrl;
    const report = options.onError ?? ((error: unknown, where: string) => console.error(`[hookline] ${where}:`, error));
    this.#slots = new ConcurrencySlots(this.world, report);
    this.#bundles = new BundleStore(this.world, () => options.bundle ?? registries().bundle);
    this.#env = {
      world: this.world,
      tokens,
      retry: { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 3_600_000, ...options.retry },
      streams: resolveStreamLimits(options.streams),
      slots: this.#slots,
      bundleFor: (bundleId) => this.#bundles.forRun(bundleId),
      currentBundleId: () => this.#bundles.current()?.id,
      missingStepWaitMs: options.missingStepWaitMs ?? (this.world.name === "local" ? 0 : 600_000),
      findStep: async (stepId) => {
        const steps = () => options.steps ?? registries().steps;
        if (!steps().has(stepId)) await options.ensureCode?.();
        return steps().get(stepId);
      },
      report,
      startChild: (request) => createChildRun(this.world, request),
      cancelRun: (runId, reason) => this.cancel(runId, reason),
    };
    this.#warm = new WarmRuns(this.#env, options.maxWarmRuns ?? 1000);
    this.#direct = new DirectDrives(
      {
        isWarm: (runId) => this.#consumer !== null && this.#warm.peek(runId) !== undefined,
        drive: (runId, event) => this.#drive(runId, event),
        wake: (runId) => this.world.queue.enqueue({ runId }, { key: `drive:${runId}` }),
        report,
      },
      options.concurrency ?? 256,
    );
    // A run warm here knows where its log ends (or nearly: a stale guess costs one conflict).
    this.#log = new RunLog(this.world, (runId) => this.#warm.peek(runId)?.lastSeq, this.#direct);
    this.#waiter = new RunWaiter(this.world, report);
    this.#hooks = new HookDelivery(this.world, this.#log, tokens);
    this.#refusals = new RefusalLog(this.world, report);
    this.#webhooks = new WebhookDelivery(
      {
        world: this.world,
        log: this.#log,
        hooks: this.#hooks,
        waiter: this.#waiter,
        refusals: this.#refusals,
        tokens,
        report,
      },
      webhooks,
    );
    this.#endpoint = new WebhookEndpoint(
      {
        findHook: (tokenHash) => this.world.getHook(tokenHash),
        isActive: (record) => this.#hooks.isActive(record),
        receive: (record, request, call) => this.#webhooks.receive(record, request, call),
        noteRefusal: (refusal) => this.#webhooks.noteRefusal(refusal),
      },
      webhooks.rateLimit,
    );
    this.#scheduler = new Scheduler({
      world: this.world,
      start: (workflowId, args, startOptions) => this.start(workflowId, args, startOptions),
      workflowIds: () => this.#currentBundle()?.workflowIds() ?? null,
      report,
    });
    const onBundle = () => {
      // Runs replay against the new code the next time they wake.
      this.#warm.dropIdle();
      if (this.#consumer) void this.#syncSchedules().then(() => this.#sweepBundles());
    };
    registries().bundleListeners.add(onBundle);
    this.#unlistenBundle = () => registries().bundleListeners.delete(onBundle);
  }

  static async create(options: RuntimeOptions): Promise<Runtime> {
    const webhooks = resolveWebhookSettings(options.webhooks);
    await options.world.start();
    const secrets = await resolveSecrets(options.secret, options.world);
    const runtime = new Runtime(options, new TokenIssuer(secrets), resolveBaseUrl(options.baseUrl), webhooks);
    if (options.worker !== false) {
      runtime.#consumer = options.world.queue.consume(
        (message) => {
          const scheduleId = scheduleIdOfTimer(message.runId);
          return scheduleId === null ? runtime.#drive(message.runId) : runtime.#scheduler.fire(scheduleId);
        },
        { concurrency: options.concurrency ?? 256 },
      );
      await runtime.#syncSchedules();
      void runtime.#sweepBundles();
    }
    return runtime;
  }

  /** Stops consuming, ends every wait (nothing is left listening or timing), writes pending refusals, closes the world. */
  async close(): Promise<void> {
    this.#direct.close();
    await this.#consumer?.stop();
    this.#slots.close();
    this.#waiter.close();
    this.#log.close();
    this.#unlistenBundle();
    this.#warm.clear();
    await this.#refusals.close();
    await this.world.close();
  }

  // -- runs --------------------------------------------------------------------------------------

  async start(
    workflow: WorkflowReference,
    args: unknown[] = [],
    options: StartOptions = {},
    link: StartLink = {},
  ): Promise<Run> {
    const port = {
      world: this.world,
      baseUrl: this.baseUrl,
      trailingSlash: this.#options.trailingSlash === true,
      bundles: this.#bundles,
    };
    return new Run(await startRun(port, workflow, args, options, link), async () => this);
  }

  /** Cancels a run: it stops, its hooks end (their URLs answer 410), its timers never fire. */
  async cancel(runId: string, reason?: string): Promise<void> {
    const make = (): NewEvent => ({
      type: "run_cancelled",
      at: Date.now(),
      data: reason === undefined ? {} : { reason },
    });
    const warm = this.#warm.peek(runId);
    if (warm) {
      // With a drive of the run, which cancels its children (also after a crash right after this append).
      await warm.appendExternal(() => (warm.terminal ? null : make()), { wake: true });
      return;
    }
    const ended = (events: WorkflowEvent[]) => (events.some((e) => TERMINAL_RUN_EVENTS.has(e.type)) ? "skip" : "ok");
    const summary = await this.world.getRun(runId);
    if (summary && ["completed", "failed", "cancelled"].includes(summary.status)) return;
    await this.#log.append(runId, make, { check: ended });
  }

  /** Starts run `runId` again: same workflow and arguments, recorded as its rerun (see rerun.ts). */
  rerun(runId: string): Promise<Run> {
    return rerun(this, runId);
  }

  /** Moves an in-flight run to the current build if its log replays cleanly on it (see upgrade-run.ts). */
  upgradeRun(runId: string): Promise<UpgradeResult> {
    return upgradeRun(this.world, this.#bundles, runId);
  }

  /** Ends sleep `sleepId` of the run now (see wake-sleep.ts); false if it had already ended. */
  wakeSleep(runId: string, sleepId: string): Promise<boolean> {
    return wakeSleep(this.world, runId, sleepId);
  }

  /** `value` as code may read it: webhook tokens in place of their markers (value-tokens.ts). */
  revealTokens<T>(value: T): T {
    return revealValueTokens(this.#env.tokens, value);
  }

  /** The run's terminal event, once there is one (RunNotFoundError if there is no such run). */
  waitForEnd(runId: string): Promise<WorkflowEvent> {
    return this.#waiter.waitForEnd(runId);
  }

  /** Waits not yet settled: Run.returnValue callers and manual webhook callers (tests, diagnostics). */
  get pendingWaits(): number {
    return this.#waiter.pending;
  }

  // -- schedules ---------------------------------------------------------------------------------

  /** A schedule made at run time (per customer, say): `options.id` is its dedupe key. See scheduler.ts. */
  async createSchedule(
    workflow: WorkflowReference,
    options: ScheduleOptions,
  ): Promise<ScheduleInfo & { created: boolean }> {
    const workflowId = typeof workflow === "string" ? workflow : workflow?.workflowId;
    if (typeof workflowId !== "string" || workflowId.length === 0) {
      throw new InvalidArgumentError(
        `createSchedule(): the first argument must be a "use workflow" function imported from its file, got ${describeValue(workflow)}.`,
      );
    }
    return this.#scheduler.create(workflowId, options);
  }

  /** Removes a schedule made with createSchedule(); false if there is none. */
  deleteSchedule(id: string): Promise<boolean> {
    return this.#scheduler.delete(id);
  }

  /** Every schedule, declared and created, with its next tick. */
  listSchedules(): Promise<ScheduleInfo[]> {
    return this.#scheduler.list();
  }

  /** Writes this build's declared schedules to the world and sets their timers (when the build is known). */
  async #syncSchedules(): Promise<void> {
    // Registered declarations are complete once the build's code has loaded (its bundle registers last).
    const declared = this.#options.schedules ?? (this.#currentBundle() ? registries().schedules.values() : null);
    if (!declared) return;
    try {
      await this.#scheduler.sync(declared);
    } catch (error) {
      this.#env.report(error, "setting up the declared schedules");
    }
  }

  // -- hooks -------------------------------------------------------------------------------------

  /** The active hook or webhook holding `token`; HookNotFoundError if there is none or it ended. */
  activeHook(token: string): Promise<HookRecord> {
    return this.#hooks.activeHook(token);
  }

  /** A hook made by defineHook({ id, schema }) takes only payloads that pass the schema (HookPayloadError otherwise). */
  resumeHook(token: string, payload: unknown, options?: ResumeOptions): Promise<{ runId: string }> {
    return this.#hooks.resumeHook(token, payload, options);
  }

  rejectHook(token: string, error: unknown): Promise<{ runId: string }> {
    return this.#hooks.rejectHook(token, error);
  }

  /**
   * Delivers `payload` to the hook `record` (found through listHooks): a plain hook takes any
   * value; a webhook takes a Request, which goes through every check of the webhook route
   * (method, size, signature, dedupe, redaction) and gets its answer.
   */
  async deliver(record: HookRecord, payload: unknown): Promise<{ runId: string; response?: Response }> {
    if (record.kind !== "webhook") return this.#hooks.resume(record, payload);
    if (!(payload instanceof Request))
      throw new InvalidArgumentError("A webhook's payload is a Request: pass the request to deliver.");
    const response = await this.#webhooks.receive(record, payload, { forwarded: true });
    return { runId: record.runId, response };
  }

  /** Makes the `await` on hook `record` throw `error`. */
  reject(record: HookRecord, error: unknown): Promise<{ runId: string }> {
    return this.#hooks.reject(record, error);
  }

  // -- webhooks ----------------------------------------------------------------------------------

  /** Answers a request to the public webhook route (see webhook-endpoint.ts for every status). */
  handleWebhook(token: string, request: Request, call?: WebhookCall): Promise<Response> {
    return this.#endpoint.handle(token, request, call);
  }

  /** A request the user's own route received, delivered to the webhook holding `token`; HookNotFoundError if none is active. */
  resumeWebhook(token: string, request: Request): Promise<Response> {
    return this.#endpoint.handle(token, request, { forwarded: true });
  }

  // -- driving -----------------------------------------------------------------------------------

  /** Drives a run (from the queue, or in memory with `appended`, an event just appended to it). */
  async #drive(runId: string, appended?: WorkflowEvent): Promise<void> {
    if (!this.#currentBundle()) await this.#options.ensureCode?.();
    const run = await this.#warm.get(runId);
    if (!run) return;
    try {
      await run.drive(appended);
      if (run.stale) {
        // Upgraded elsewhere (upgrade-run.ts): replayed with its new bundle on the next drive.
        this.#warm.drop(run);
        await this.world.queue.enqueue({ runId }, { key: `drive:${runId}` });
        return;
      }
      if (run.terminal) await afterRunEnd(this.#family, run);
    } catch (error) {
      // Its memory may be ahead of or behind the log now: the next drive replays it from the log.
      this.#warm.drop(run);
      await run
        .releaseSlot()
        .catch((releaseError: unknown) =>
          this.#env.report(releaseError, `releasing the concurrency slot of run ${runId}`),
        );
      throw error;
    }
    if (run.terminal && run.idle) this.#warm.drop(run);
  }

  /** Whether a workflow bundle is loaded, loading the app's code first if it is not yet (health checks). */
  async hasWorkflowCode(): Promise<boolean> {
    if (!this.#currentBundle()) await this.#options.ensureCode?.();
    return this.#currentBundle() !== null;
  }

  get warmRunCount(): number {
    return this.#warm.size;
  }

  #currentBundle() {
    return this.#bundles.current();
  }

  /** Removes stored bundles no unfinished run needs (keeping this build's); failures are only reported. */
  async #sweepBundles(): Promise<void> {
    if (!this.#bundles.current()) return;
    try {
      await this.#bundles.sweep(this.#options.bundleGraceMs ?? 3_600_000);
    } catch (error) {
      this.#env.report(error, "removing unused workflow bundles");
    }
  }
}
