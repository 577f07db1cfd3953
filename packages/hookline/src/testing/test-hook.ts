/**
 * A hook or webhook a test run waits on, as `run.waitForHook()` finds it: what the run declared
 * (kind, metadata, timeout), its token when the test can know it, and ways to answer it. Every
 * answer waits for the run to settle, so the test sees its effect at once.
 *
 *   const approval = await run.waitForHook();
 *   await approval.resume({ approved: true });
 *   const webhook = await run.waitForHook({ kind: "webhook" });
 *   const response = await webhook.send({ body: JSON.stringify({ type: "paid" }) });   // through its URL
 */
import { deserialize } from "@hookline/core/runtime";
import type { HookRecord } from "@hookline/core/world";

/** What a hook handle needs of the test runtime. */
export interface HookPort {
  deliver(record: HookRecord, payload: unknown): Promise<{ response?: Response }>;
  reject(record: HookRecord, error: unknown): Promise<unknown>;
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

export class TestHook {
  readonly runId: string;
  /** The hook's operation id in its run. */
  readonly hookId: string;
  readonly kind: "hook" | "webhook";
  /** createHook({ metadata }), deserialized. */
  readonly metadata: unknown;
  readonly createdAt: Date;
  /** When its `timeout` ends it. */
  readonly expiresAt: Date | undefined;
  /**
   * Its token: a webhook's or an unnamed hook's (derived from the test runtime's secret), or the
   * one the test asked for with waitForHook({ token }); undefined for a chosen token not asked for.
   */
  readonly token: string | undefined;
  /** A webhook's URL (`<baseUrl>/.well-known/workflow/v1/webhook/<token>`). */
  readonly url: string | undefined;
  readonly #record: HookRecord;
  readonly #port: HookPort;

  constructor(record: HookRecord, token: string | undefined, url: string | undefined, port: HookPort) {
    this.#record = record;
    this.#port = port;
    this.runId = record.runId;
    this.hookId = record.hookId;
    this.kind = record.kind;
    this.metadata = record.metadata === undefined ? undefined : deserialize(record.metadata);
    this.createdAt = new Date(record.createdAt);
    this.expiresAt = record.expiresAt === undefined ? undefined : new Date(record.expiresAt);
    this.token = token;
    this.url = url;
  }

  /**
   * Delivers `payload` as resumeHook() does (a webhook takes a Request, checked as its URL
   * would check it); resolves with a webhook's answer once the run has settled.
   */
  async resume(payload: unknown): Promise<Response | undefined> {
    const { response } = await this.#port.deliver(this.#record, payload);
    return response;
  }

  /** Makes the run's `await` on this hook throw `error`, as rejectHook() does. */
  async reject(error: unknown): Promise<void> {
    await this.#port.reject(this.#record, error);
  }

  /**
   * A webhook: sends a request to its URL through the public webhook route (method, size,
   * signature and dedupe checks, rate limit off), default `POST`; resolves with the route's answer.
   */
  async send(init: RequestInit = {}): Promise<Response> {
    if (this.kind !== "webhook" || this.url === undefined) {
      throw new TypeError(
        `hook ${this.hookId} of run ${this.runId} is a createHook() hook: resume it with hook.resume(payload).`,
      );
    }
    return this.#port.fetch(this.url, { method: "POST", ...init });
  }
}
