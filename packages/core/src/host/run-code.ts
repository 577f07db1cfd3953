/**
 * A run's workflow code in its sandbox: the bundle it replays with, loaded at run_created; the
 * workflow started with its arguments at run_started; recorded outcomes delivered to the calls
 * awaiting them. Values go in with their webhook tokens revealed (value-tokens.ts). A load or a
 * start that throws comes back as the error the run fails with.
 */
import { FatalError, HooklineError } from "../shared/errors.js";
import type { HostBridge } from "../workflow/kernel.js";
import type { Serialized, WorkflowEvent } from "../world/events.js";
import type { Sandbox, WorkflowBundle } from "./sandbox.js";
import { drainMicrotasks } from "./serial-queue.js";
import type { ValueTokens } from "./value-tokens.js";

export class RunCode {
  /** The loaded bundle (its map remaps the stacks the workflow records). */
  bundle: WorkflowBundle | null = null;
  /** Code replaying recorded events runs with its console muted; what runs past them is live. */
  replaying = true;
  readonly #workflowId: string;
  readonly #bridge: HostBridge;
  readonly #tokens: ValueTokens;
  #sandbox: Sandbox | null = null;
  /** The run's arguments until its code starts. */
  #args: Serialized | undefined;

  constructor(workflowId: string, bridge: HostBridge, tokens: ValueTokens) {
    this.#workflowId = workflowId;
    this.#bridge = bridge;
    this.#tokens = tokens;
  }

  get loaded(): boolean {
    return this.#sandbox !== null;
  }

  /** Loads the bundle `find` resolves, keeping the run's arguments for start(); null, or why it cannot. */
  async load(find: () => Promise<WorkflowBundle>, args: Serialized): Promise<Error | null> {
    try {
      const bundle = await find();
      this.bundle = bundle;
      this.#sandbox = bundle.createSandbox(this.#bridge, () => !this.replaying);
      this.#args = args;
      return null;
    } catch (error) {
      return HooklineError.is(error)
        ? error
        : new FatalError(`The workflow bundle failed to load: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Calls the workflow with its arguments (once); null, or the error it threw at once. */
  async start(): Promise<Error | null> {
    if (!this.#sandbox || this.#args === undefined) return null;
    const args = this.#args;
    this.#args = undefined;
    try {
      this.#sandbox.entry.start(this.#workflowId, this.#tokens.reveal(args));
    } catch (error) {
      return HooklineError.is(error)
        ? error
        : new FatalError(`The workflow failed to start: ${(error as Error).message}`, { cause: error });
    }
    await drainMicrotasks();
    return null;
  }

  /** Settles the call `event` answers, and lets the workflow run on from it. */
  async deliver(event: WorkflowEvent): Promise<void> {
    this.#sandbox?.entry.deliver(event.corr!, event.type, this.#tokens.reveal(event.data));
    await drainMicrotasks();
  }

  /** The run ended: its code is dropped. */
  unload(): void {
    this.#sandbox = null;
  }
}
