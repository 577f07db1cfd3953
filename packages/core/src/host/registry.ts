/**
 * Process-wide registries. They live on globalThis because a Next.js server may load this
 * package more than once (ESM and CJS copies, separate route chunks); every copy must see
 * the same steps, the same workflow bundle and the same runtime.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { ScheduleDeclaration } from "../shared/public-types.js";
import { markStepFunction } from "../shared/step-ref.js";

export type StepFunction = ((...args: unknown[]) => unknown) & { maxRetries?: number };

export interface RegisteredStep {
  id: string;
  fn: StepFunction;
  /** Declared inside a workflow body: called as fn(closure, ...args). */
  closure: boolean;
  /** A static or object-literal method's owner: its `this`. */
  self?: unknown;
}

export interface WorkflowBundleSource {
  /** The workflow bundle (a script; see @hookline/transform bundleWorkflows). */
  code: string;
  /** Shown in stack traces. */
  filename?: string;
}

interface Registries {
  steps: Map<string, RegisteredStep>;
  bundle: WorkflowBundleSource | null;
  /** Called when the bundle changes (next dev), so warm runs are rebuilt from their logs. */
  bundleListeners: Set<() => void>;
  runtime: unknown;
  /** Schedules declared beside workflows (schedule()), by id, as the app's files load. */
  schedules: Map<string, ScheduleDeclaration>;
  /** The step being executed, for getStepMetadata() and request.respondWith(). */
  currentStep: AsyncLocalStorage<StepContext>;
}

export interface StepContext {
  runId: string;
  workflowId: string;
  workflowName: string;
  runStartedAt: number;
  url: string;
  stepId: string;
  stepName: string;
  corr: string;
  attempt: number;
  /** This attempt's start. */
  startedAt: number;
  /** The first attempt's start. */
  firstStartedAt: number;
  /** Answers a "manual" webhook request (see webhook-request.ts). */
  respond(requestId: string, response: Response): Promise<void>;
  /** A webhook's token, rebuilt from the deployment secret, so a received request shows its real URL here. */
  webhookToken(runId: string, hookId: string, keyId: string | undefined): string | null;
  /** getWritable() here: a WritableStream into the run's stream `namespace`. */
  writable(namespace: string): WritableStream<unknown>;
  /** A ReadableStream another step handed over: the run's stream `namespace`, live, from its first chunk. */
  readable(namespace: string): ReadableStream<unknown>;
  /** Starts copying a ReadableStream this step hands over into a new stream of the run; returns its namespace. */
  pipe(stream: ReadableStream<unknown>): string;
}

const KEY = Symbol.for("hookline.registries");

export function registries(): Registries {
  const global = globalThis as Record<symbol, Registries | undefined>;
  global[KEY] ??= {
    steps: new Map(),
    bundle: null,
    bundleListeners: new Set(),
    runtime: null,
    schedules: new Map(),
    currentStep: new AsyncLocalStorage(),
  };
  // A registry made by an older copy of this package in the same server.
  global[KEY].schedules ??= new Map();
  return global[KEY];
}

export function registerStepFn(id: string, fn: StepFunction, closure: boolean, self?: unknown): void {
  // Its source name, which stack traces show even when a minifier renamed the function (an
  // instance method's own name: the frame adds its receiver's class, `at Cart.total`).
  const source = id.split("//").pop() ?? "";
  const instanceMethod = source.includes("#");
  const name = source.split("#").pop();
  const own = Object.getOwnPropertyDescriptor(fn, "name");
  if (name && (!own || own.configurable)) Object.defineProperty(fn, "name", { value: name, configurable: true });
  registries().steps.set(id, { id, fn, closure, ...(self === undefined ? {} : { self }) });
  // Passed as a value from server code or a step (start(wf, [step])), it crosses as its id; an
  // instance method detached from its instance would have no `this`, so it does not.
  if (!closure && !instanceMethod) markStepFunction(fn, id);
}

export function registerWorkflowBundle(source: WorkflowBundleSource): void {
  const r = registries();
  if (r.bundle?.code === source.code) return;
  r.bundle = source;
  for (const listener of r.bundleListeners) listener();
}
