/**
 * Hooks inside a workflow. A hook is awaitable (the next payload) and async-iterable (every
 * payload); payloads recorded while the workflow is busy wait in order in a buffer. How a
 * hook ends decides what a waiting `await` sees: a timeout throws HookTimeoutError, a
 * conflict HookConflictError, a rejection the given error; dispose ends iteration.
 */
import { resolveDeadline } from "../shared/duration.js";
import { HookConflictError, HooklineError, HookTimeoutError, InvalidArgumentError } from "../shared/errors.js";
import { deserialize, serialize } from "../shared/serialization/index.js";
import type { Serialized, WebhookConfig } from "../world/events.js";
import { host } from "./kernel.js";
import { nextCorr, type OperationSink, registerSink } from "./state.js";

type Item = { ok: true; value: unknown } | { ok: false; error: unknown };
type Ending = { kind: "disposed" } | { kind: "failed"; error: unknown };

class HookChannel implements OperationSink {
  readonly buffer: Item[] = [];
  readonly waiting: Array<(item: Item | Ending) => void> = [];
  ending: Ending | null = null;
  /** What a webhook makes of a recorded payload before the workflow sees it. */
  readonly #reveal: (value: unknown) => unknown;

  constructor(reveal: (value: unknown) => unknown = (value) => value) {
    this.#reveal = reveal;
  }

  push(type: string, data: Serialized): void {
    const payload = data as Record<string, Serialized>;
    if (type === "hook_received") this.offer({ ok: true, value: this.#reveal(deserialize(payload.payload)) });
    else if (type === "hook_rejected") this.offer({ ok: false, error: deserialize(payload.error) });
    else if (type === "hook_timed_out")
      this.end({ kind: "failed", error: new HookTimeoutError("The hook timed out before a payload arrived.") });
    else if (type === "hook_disposed") this.end({ kind: "disposed" });
    else if (type === "hook_conflicted") {
      const heldBy = String(payload.heldBy);
      this.end({
        kind: "failed",
        error: new HookConflictError(
          `The hook's token is already held by an active wait in run ${heldBy}; a token can be reused once that wait ends.`,
          { heldBy },
        ),
      });
    }
  }

  private offer(item: Item): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(item);
    else this.buffer.push(item);
  }

  end(ending: Ending): void {
    if (this.ending) return;
    this.ending = ending;
    for (const waiter of this.waiting.splice(0)) waiter(ending);
  }

  /** The next payload, or how the hook ended once its buffer is empty. */
  next(): Promise<Item | Ending> {
    const item = this.buffer.shift();
    if (item) return Promise.resolve(item);
    if (this.ending) return Promise.resolve(this.ending);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

const DISPOSED = "The hook was disposed; no more payloads will arrive.";

export class Hook<T = unknown> implements PromiseLike<T>, AsyncIterable<T> {
  readonly token: string;
  readonly #corr: string;
  readonly #channel: HookChannel;

  /** @internal */
  constructor(corr: string, token: string, channel: HookChannel) {
    this.#corr = corr;
    this.token = token;
    this.#channel = channel;
  }

  /** The next payload. */
  // biome-ignore lint/suspicious/noThenProperty: a hook is awaitable by design (`await hook`), as in the Workflow SDK.
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const next = this.#channel.next().then((item) => {
      if ("ok" in item) {
        if (item.ok) return item.value as T;
        throw item.error;
      }
      throw item.kind === "failed" ? item.error : new HooklineError(DISPOSED);
    });
    return next.then(onFulfilled, onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = await this.#channel.next();
      if ("ok" in item) {
        if (!item.ok) throw item.error;
        yield item.value as T;
      } else if (item.kind === "failed") {
        throw item.error;
      } else {
        return;
      }
    }
  }

  /** Stops accepting payloads: the token ends (callers get 410) and iteration finishes. */
  dispose(): void {
    if (this.#channel.ending) return;
    host().request({ kind: "dispose", corr: this.#corr });
    this.#channel.end({ kind: "disposed" });
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

export interface HookOptions {
  token?: string;
  metadata?: unknown;
  timeout?: string | number | Date;
}

/** Shared by createHook and createWebhook: records the hook and returns its token. */
export function openHook(
  kind: "hook" | "webhook",
  options: HookOptions,
  webhook?: WebhookConfig,
  reveal?: (value: unknown) => unknown,
  definition?: string,
): { corr: string; token: string; url?: string; channel: HookChannel } {
  const corr = nextCorr();
  if (
    options.token !== undefined &&
    (typeof options.token !== "string" || options.token.length === 0 || options.token.length > 512)
  ) {
    throw new InvalidArgumentError(
      "createHook({ token }): the token must be a non-empty string of at most 512 characters.",
    );
  }
  const expiresAt =
    options.timeout === undefined
      ? undefined
      : resolveDeadline(
          options.timeout,
          Date.now(),
          `${kind === "hook" ? "createHook" : "createWebhook"}({ timeout })`,
        );
  const reply = host().request({
    kind: "hook",
    corr,
    hookKind: kind,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(definition === undefined ? {} : { definition }),
    ...(options.metadata === undefined ? {} : { metadata: serialize(options.metadata, "metadata") }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(webhook === undefined ? {} : { webhook }),
  });
  if (!reply) throw new HooklineError("The host did not return a token for the hook.");
  const channel = new HookChannel(reveal);
  registerSink(corr, channel);
  return { corr, token: reply.token, ...(reply.url === undefined ? {} : { url: reply.url }), channel };
}

export function createHook<T = unknown>(options: HookOptions = {}): Hook<T> {
  const { corr, token, channel } = openHook("hook", options);
  return new Hook<T>(corr, token, channel);
}

/** A hook made by defineHook({ id }).create(): the id is recorded with it (hook_created's `definition`). */
export function createDefinedHook<T>(options: HookOptions, definition: string | undefined): Hook<T> {
  const { corr, token, channel } = openHook("hook", options, undefined, undefined, definition);
  return new Hook<T>(corr, token, channel);
}

export { HookChannel };
