/** What a warm run (warm-run.ts) needs from its runtime: the world, its settings, and the code to run. */
import type { World } from "../world/world.js";
import type { ConcurrencySlots } from "./concurrency-slots.js";
import type { RegisteredStep } from "./registry.js";
import type { ChildRunRequest } from "./run-creation.js";
import type { WorkflowBundle } from "./sandbox.js";
import type { RetryPolicy } from "./step-runner.js";
import type { StreamLimits } from "./streams/stream-writer.js";
import type { TokenIssuer } from "./tokens.js";

export interface RunEnvironment {
  world: World;
  tokens: TokenIssuer;
  retry: RetryPolicy;
  streams: StreamLimits;
  /** Concurrency slots of runs started with start({ concurrency }). */
  slots: ConcurrencySlots;
  /** The bundle a run replays with (bundle-store.ts); null if no build holds it. */
  bundleFor(bundleId: string | undefined): Promise<WorkflowBundle | null>;
  /** The current build's bundle id (undefined: none loaded). */
  currentBundleId(): string | undefined;
  /** How long a step only another build has is left to that build's instances (missing-step.ts). */
  missingStepWaitMs: number;
  /** The step registered under `stepId`, loading the app's code first if it is missing. */
  findStep(stepId: string): Promise<RegisteredStep | undefined>;
  /** Reports an unexpected failure of background work. */
  report(error: unknown, where: string): void;
  /** Creates a workflow's child run once (run-creation.ts) and returns its id. */
  startChild(request: ChildRunRequest): Promise<string>;
  cancelRun(runId: string, reason: string): Promise<void>;
}
