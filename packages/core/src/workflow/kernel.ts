/**
 * The channel between the host and the workflow code in one vm context. The host puts its
 * bridge on the context's global under HOST_KEY before the bundle runs; the bundle's runtime
 * puts its entry points under SANDBOX_KEY. Only plain data crosses.
 */
import type { Serialized, WebhookConfig } from "../world/events.js";

export const HOST_KEY = Symbol.for("hookline.host");
export const SANDBOX_KEY = Symbol.for("hookline.sandbox");
/** Where the runtime keeps the host's Date aside: a context reused for another run (replay checks) keeps it. */
export const REAL_DATE = Symbol.for("hookline.realDate");

export type OpRequest =
  /** `self`: an instance-method step's `this`. */
  | { kind: "step"; corr: string; stepId: string; args: Serialized; closure?: Serialized; self?: Serialized }
  | { kind: "sleep"; corr: string; until: number }
  | {
      kind: "hook";
      corr: string;
      hookKind: "hook" | "webhook";
      token?: string;
      /** The defineHook({ id }) that made it. */
      definition?: string;
      metadata?: Serialized;
      expiresAt?: number;
      webhook?: WebhookConfig;
    }
  | { kind: "dispose"; corr: string }
  /** `start(child, args)` in a workflow: a child run, created once (see host/child-runs.ts). */
  | { kind: "child"; corr: string; workflowId: string; args: Serialized; detached: boolean };

export interface WorkflowMetadata {
  runId: string;
  workflowId: string;
  workflowName: string;
  startedAt: number;
  url: string;
}

/** What the host provides inside the context. */
export interface HostBridge {
  /** Seeds the context's Math.random and crypto. */
  seed: string;
  /** Log time: the `at` of the event being replayed. Date and Date.now() read it. */
  now: number;
  metadata: WorkflowMetadata;
  /** Records that the workflow made an operation; for hooks, returns the token (and URL for webhooks). */
  request(op: OpRequest): { token: string; url?: string } | undefined;
  /** patched(patchId): true for code reaching it first or a log that recorded it, false for a log that passed it without (see host/patch-markers.ts). */
  patched(patchId: string): boolean;
  complete(result: Serialized): void;
  fail(error: Serialized): void;
}

/** What the bundle's runtime provides to the host. */
export interface SandboxEntry {
  /** Calls the registered workflow with the deserialized args. */
  start(workflowId: string, args: Serialized): void;
  /** Delivers one recorded event to the operation `corr`. */
  deliver(corr: string, type: string, data: Serialized): void;
  workflowIds(): string[];
}

export function host(): HostBridge {
  const bridge = (globalThis as Record<symbol, unknown>)[HOST_KEY] as HostBridge | undefined;
  if (!bridge) throw new Error("hookline: workflow code is running outside the Hookline sandbox");
  return bridge;
}
