/**
 * A Hookline runtime for one test: the memory world on a virtual clock, the workflow bundle made
 * from the workflow files the test imported, and the steps they registered (through vitest's
 * module graph, so `vi.mock()` reaches them). It is also the process's runtime while open, so
 * `hookline/api` in steps and in the test uses it.
 *
 *   const hl = await createTestRuntime();
 *   afterEach(() => hl.close());
 *   const run = await hl.start(checkout, ["order-1"]);
 *   const payment = await run.waitForHook({ kind: "webhook" });
 *   expect((await payment.send({ body: '{"type":"paid"}' })).status).toBe(202);
 *   expect(await run.result()).toMatchObject({ status: "paid" });
 */
import { Run, type StartOptions } from "@hookline/core/api";
import {
  hashToken,
  Runtime,
  registerWorkflowBundle,
  setRuntime,
  TokenIssuer,
  WEBHOOK_PATH,
  type WorkflowReference,
} from "@hookline/core/runtime";
import type { HookRecord } from "@hookline/core/world";
import { createMemoryWorld, type MemoryWorld } from "./memory-world.js";
import { TestClock } from "./test-clock.js";
import { TestHook } from "./test-hook.js";
import { type HookMatch, TestRun } from "./test-run.js";
import { VirtualClock } from "./virtual-clock.js";
import { type BuiltBundle, bundleImportedWorkflows, holdsImportedFiles } from "./workflow-bundle.js";

export interface TestRuntimeOptions {
  /** Where the virtual clock starts (a Date or epoch ms). Default: the real time now. */
  now?: Date | number;
  /** The origin webhook URLs and getWorkflowMetadata().url use. Default http://localhost:3000. */
  baseUrl?: string;
  /** Step retries: `maxRetries` (default 3), backoff `baseDelayMs` (1 s) to `maxDelayMs` (1 h), in virtual time. */
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Failures of background work (a drive that threw). Default: printed with console.error. */
  onError?: (error: unknown, where: string) => void;
}

const SECRET = "hookline-testing-secret-not-for-production-0123456789";

type WorkflowArgs<W> = W extends (...args: infer A) => unknown ? A : unknown[];
type WorkflowResult<W> = W extends (...args: never[]) => Promise<infer R>
  ? R
  : W extends (...args: never[]) => infer R
    ? R
    : unknown;

export async function createTestRuntime(options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const start = options.now === undefined ? Date.now() : Number(options.now);
  if (!Number.isFinite(start))
    throw new TypeError(`createTestRuntime(): now must be a Date or epoch ms, got ${String(options.now)}.`);
  const clock = new VirtualClock(start);
  clock.install();
  try {
    const bundle = await bundleImportedWorkflows();
    registerWorkflowBundle({ code: bundle.code, filename: bundle.filename });
    const report =
      options.onError ?? ((error: unknown, where: string) => console.error(`[hookline/testing] ${where}:`, error));
    const world = createMemoryWorld(clock, report);
    const runtime = await Runtime.create({
      world,
      secret: SECRET,
      baseUrl: options.baseUrl ?? "http://localhost:3000",
      webhooks: { rateLimit: false },
      ...(options.retry ? { retry: options.retry } : {}),
      onError: report,
    });
    setRuntime(runtime);
    return new TestRuntime(runtime, world, clock, bundle);
  } catch (error) {
    clock.uninstall();
    throw error;
  }
}

export class TestRuntime {
  /** The runtime itself, for what the helpers do not cover. */
  readonly runtime: Runtime;
  readonly world: MemoryWorld;
  readonly clock: TestClock;
  readonly #clock: VirtualClock;
  readonly #tokens = new TokenIssuer([SECRET]);
  #bundle: BuiltBundle;

  constructor(runtime: Runtime, world: MemoryWorld, clock: VirtualClock, bundle: BuiltBundle) {
    this.runtime = runtime;
    this.world = world;
    this.#clock = clock;
    this.#bundle = bundle;
    this.clock = new TestClock(clock, { settle: () => this.settle(), nextDueAt: () => world.queue.nextDueAt() });
  }

  /** Starts a run, as hookline/api's start() does, and lets it settle (it runs until its first wait). */
  async start<W extends WorkflowReference | ((...args: never[]) => unknown)>(
    workflow: W,
    args?: WorkflowArgs<W>,
    options?: StartOptions,
  ): Promise<TestRun<WorkflowResult<W>>> {
    if (!holdsImportedFiles(this.#bundle)) {
      // A workflow file imported after the runtime was made (a dynamic import).
      this.#bundle = await bundleImportedWorkflows();
      registerWorkflowBundle({ code: this.#bundle.code, filename: this.#bundle.filename });
    }
    const run = await this.runtime.start(workflow as WorkflowReference, (args ?? []) as unknown[], options);
    await this.settle();
    return this.getRun<WorkflowResult<W>>(run.runId);
  }

  /** A handle on run `runId` (a child run, a run a schedule started). */
  getRun<T = unknown>(runId: string): TestRun<T> {
    return new TestRun<T>(new Run<T>(runId, async () => this.runtime), {
      settle: () => this.settle(),
      skipToNextWakeUp: (runIds) => this.#skipToNextWakeUp(runIds),
      family: (id) => this.#family(id),
      findHook: (match) => this.findHook(match),
    });
  }

  /** Waits until no run has work due now: every drive and step has finished, and nothing is left but waits. */
  async settle(): Promise<void> {
    for (let quiet = 0; quiet < 2; ) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.world.queue.busy) {
        quiet = 0;
        await this.world.queue.whenIdle();
      } else {
        quiet += 1;
      }
    }
  }

  /** resumeHook() from hookline/api, then settles. */
  async resumeHook(token: string, payload: unknown): Promise<void> {
    await this.runtime.resumeHook(token, payload);
    await this.settle();
  }

  /** rejectHook() from hookline/api, then settles. */
  async rejectHook(token: string, error: unknown): Promise<void> {
    await this.runtime.rejectHook(token, error);
    await this.settle();
  }

  /** resumeWebhook() from hookline/api: a Request your own route received, delivered to the webhook holding `token`. */
  async resumeWebhook(token: string, request: Request): Promise<Response> {
    const response = await this.runtime.resumeWebhook(token, request);
    await this.settle();
    return response;
  }

  /**
   * A request to one of this runtime's webhook URLs (`webhook.url` as a step received it),
   * answered by the public webhook route as `next start` would answer it (202, 404, 405, 410 …).
   */
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const prefix = `${this.runtime.baseUrl}${WEBHOOK_PATH}`;
    if (!request.url.startsWith(prefix)) {
      throw new TypeError(
        `hl.fetch() answers this test runtime's webhook URLs (${prefix}<token>), not ${request.url}.`,
      );
    }
    const response = await this.runtime.handleWebhook(request.url.slice(prefix.length).replace(/\/$/, ""), request, {
      clientAddress: "127.0.0.1",
    });
    await this.settle();
    return response;
  }

  /** The first active hook matching `match` (of run `runId`, or of any run), once the runtime has settled; undefined if none. */
  async findHook(match: HookMatch & { runId?: string } = {}): Promise<TestHook | undefined> {
    await this.settle();
    const records = await this.world.listHooks({
      status: "active",
      ...(match.runId === undefined ? {} : { runId: match.runId }),
    });
    const wanted = match.token === undefined ? undefined : hashToken(match.token);
    const record = records.find(
      (r) => (wanted === undefined || r.tokenHash === wanted) && (match.kind === undefined || r.kind === match.kind),
    );
    return record ? this.#hook(record, match.token) : undefined;
  }

  /** Stops the runtime, closes the world and gives the process its real clock back. */
  async close(): Promise<void> {
    try {
      await this.runtime.close();
    } finally {
      setRuntime(null);
      this.#clock.uninstall();
    }
  }

  #hook(record: HookRecord, asked: string | undefined): TestHook {
    const derived = this.#tokens.webhookToken(record.runId, record.hookId, record.keyId) ?? undefined;
    const token = asked ?? (derived !== undefined && hashToken(derived) === record.tokenHash ? derived : undefined);
    const url =
      record.kind === "webhook" && token !== undefined ? `${this.runtime.baseUrl}${WEBHOOK_PATH}${token}` : undefined;
    return new TestHook(record, token, url, {
      deliver: async (hook, payload) => {
        const delivered = await this.runtime.deliver(hook, payload);
        await this.settle();
        return delivered;
      },
      reject: async (hook, error) => {
        await this.runtime.reject(hook, error);
        await this.settle();
      },
      fetch: (url, init) => this.fetch(url, init),
    });
  }

  async #skipToNextWakeUp(runIds: ReadonlySet<string>): Promise<boolean> {
    const next = this.world.queue.nextDueAt((runId) => runIds.has(runId));
    if (next === null || next <= this.#clock.now()) return false;
    await this.clock.jumpTo(next);
    return true;
  }

  async #family(runId: string): Promise<Set<string>> {
    const family = new Set([runId]);
    const runs = await this.world.listRuns({ limit: 100_000 });
    for (let grown = true; grown; ) {
      grown = false;
      for (const run of runs) {
        if (run.parentRunId !== undefined && family.has(run.parentRunId) && !family.has(run.runId)) {
          family.add(run.runId);
          grown = true;
        }
      }
    }
    return family;
  }
}
