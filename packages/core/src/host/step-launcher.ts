/**
 * The steps of one warm run running in this process. Each is launched outside the run's serial
 * queue (its outcome comes back through it, see step-attempt.ts); they are counted so a drive can
 * wait until none is left, and a failure of the world to record an outcome is kept for the drive
 * to rethrow (its queue message is then delivered again).
 */
import { StepElsewhereError } from "./missing-step.js";
import type { Operation } from "./operations.js";
import type { RegisteredStep } from "./registry.js";
import { type AttemptHost, attemptStep } from "./step-attempt.js";

export class StepLauncher {
  readonly #findStep: (stepId: string) => Promise<RegisteredStep | undefined>;
  readonly #host: AttemptHost;
  readonly #report: (error: unknown, where: string) => void;
  #running = 0;
  #idle: Array<() => void> = [];
  #unrecorded: unknown[] = [];

  constructor(
    findStep: (stepId: string) => Promise<RegisteredStep | undefined>,
    host: AttemptHost,
    report: (error: unknown, where: string) => void,
  ) {
    this.#findStep = findStep;
    this.#host = host;
    this.#report = report;
  }

  get running(): number {
    return this.#running;
  }

  launch(op: Operation): void {
    op.inFlight = true;
    this.#running += 1;
    this.#findStep(op.stepId!)
      .then((step) => attemptStep(this.#host, op, step, Date.now()))
      .catch((error: unknown) => {
        // The step's own errors are recorded as its outcome; this is the world failing to record one.
        this.#unrecorded.push(error);
        // Left for an instance of another build (missing-step.ts): expected during a rolling deploy, not a fault.
        if (!(error instanceof StepElsewhereError)) this.#report(error, `step ${op.stepId} of run ${this.#host.runId}`);
      })
      .finally(() => {
        op.inFlight = false;
        this.#running -= 1;
        if (this.#running === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
  }

  /** Resolves once no step is running. */
  whenIdle(): Promise<void> {
    return this.#running === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  /** The failures to record an outcome since the last call. */
  takeUnrecorded(): unknown[] {
    return this.#unrecorded.splice(0);
  }
}
