/**
 * Workflow SDK code as its documentation writes it, only the imports changed ("workflow" →
 * "hookline", "workflow/api" → "hookline/api"): what test/compat.test.ts drives through
 * app/api/compat against `next start` (issue 11).
 */
import {
  createHook,
  FatalError,
  fetch,
  getStepMetadata,
  RetryableError,
  registerSerializableClass,
  sleep,
  WORKFLOW_DESERIALIZE,
  WORKFLOW_SERIALIZE,
} from "hookline";

/** A hook looked up by its token from server code (getHookByToken), then resumed. */
export async function approvalByToken(documentId: string) {
  "use workflow";
  const hook = createHook<{ approved: boolean }>({
    token: `document:${documentId}`,
    metadata: { documentId, reviewer: "ann" },
  });
  const { approved } = await hook;
  return { documentId, approved };
}

/** Fails with the workflow's own error class: Run.returnValue rejects with WorkflowRunFailedError. */
export async function chargeDeclined(orderId: string) {
  "use workflow";
  await chargeCard(orderId);
  return "charged";
}

class CardDeclinedError extends FatalError {
  override name = "CardDeclinedError";
}

async function chargeCard(orderId: string) {
  "use step";
  throw new CardDeclinedError(`card declined for ${orderId}`);
}

/** Throws from the workflow's own code: its stack trace names the source file, line and function. */
export async function throwsWithStack(orderId: string) {
  "use workflow";
  validateOrder(orderId);
}

function validateOrder(orderId: string): never {
  throw new Error(`order ${orderId} is invalid`);
}

/** Fails with a step's error: its stack trace names the step's source file too. */
export async function stepThrows(orderId: string) {
  "use workflow";
  await failingStep(orderId);
}

async function failingStep(orderId: string) {
  "use step";
  throw new FatalError(`step refused ${orderId}`);
}

/** Waits forever: cancelled by the test (WorkflowRunCancelledError). */
export async function waitsForever() {
  "use workflow";
  await sleep("30d");
}

/** `using`: the hook is disposed at the end of the block, so its token can be taken again. */
export async function scopedHook(id: string) {
  "use workflow";
  let first: string;
  {
    using hook = createHook<string>({ token: `scoped:${id}` });
    first = await hook;
  }
  const again = createHook<string>({ token: `scoped:${id}` });
  return [first, await again];
}

/** `fetch` from "hookline", called directly in the workflow: a step. */
export async function fetchInWorkflow(url: string) {
  "use workflow";
  const response = await fetch(url, { method: "POST" });
  return { status: response.status, ok: response.ok };
}

/** The first sleep lasts its duration from when the code called it. */
export async function timedSleep() {
  "use workflow";
  const calledAt = Date.now();
  await sleep("2s");
  return { calledAt, wokeAt: Date.now() };
}

/** stepStartedAt is the first attempt's start; attemptStartedAt this attempt's. */
export async function retriedStep() {
  "use workflow";
  return await retryOnce();
}

async function retryOnce() {
  "use step";
  const { attempt, stepStartedAt, attemptStartedAt } = getStepMetadata();
  if (attempt === 1) throw new RetryableError("try again", { retryAfter: "1s" });
  return { attempt, waitedMs: attemptStartedAt.getTime() - stepStartedAt.getTime() };
}

/** A class with the SDK's serialization symbols, through workflow, step and server. */
export class Money {
  constructor(
    readonly cents: number,
    readonly currency: string,
  ) {}
  add(other: Money): Money {
    return new Money(this.cents + other.cents, this.currency);
  }
  static [WORKFLOW_SERIALIZE](money: Money) {
    return { cents: money.cents, currency: money.currency };
  }
  static [WORKFLOW_DESERIALIZE](data: { cents: number; currency: string }) {
    return new Money(data.cents, data.currency);
  }
}
registerSerializableClass("example.Money", Money);

export async function addFee(cents: number) {
  "use workflow";
  const total = await withFee(new Money(cents, "EUR"));
  return { isMoney: total instanceof Money, total: total.add(new Money(0, "EUR")).cents };
}

async function withFee(price: Money) {
  "use step";
  return price.add(new Money(30, "EUR"));
}

/** A static-method step that uses `this` (its class), as the SDK allows. */
// biome-ignore lint/complexity/noStaticOnlyClass: the SDK's static-method step pattern, on purpose.
export class Pricing {
  static vatRate = 0.2;
  static async withVat(cents: number) {
    "use step";
    // biome-ignore lint/complexity/noThisInStatic: the step runs with its class as this, which is what this shows.
    return Math.round(cents * (1 + this.vatRate));
  }
}

export async function pricedOrder(cents: number) {
  "use workflow";
  return await Pricing.withVat(cents);
}
