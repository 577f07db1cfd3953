// Workflows whose in-flight event logs are committed in ./logs. Changing them changes what
// the logs replay against: add new workflows instead of editing these.
import {
  createHook,
  createWebhook,
  FatalError,
  RetryableError,
  registerSerializableClass,
  sleep,
  WORKFLOW_DESERIALIZE,
  WORKFLOW_SERIALIZE,
} from "hookline";
import { start } from "hookline/api";

export async function orderFlow(orderId: string) {
  "use workflow";
  const reserved = await reserve(orderId, 2);
  const [priced, tax] = await Promise.all([price(orderId), taxFor("DE")]);
  await sleep("50ms");
  const approval = createHook<{ approved: boolean }>({ token: `history:approve:${orderId}`, metadata: { orderId } });
  const { approved } = await approval;
  if (!approved) return { orderId, status: "rejected" };
  // biome-ignore lint/complexity/useDateNow: exercises the sandbox's Date constructor (and the recorded logs were written with this line).
  return {
    orderId,
    status: "approved",
    reserved,
    total: priced + tax,
    at: new Date().getTime() > 0,
    id: crypto.randomUUID().length,
  };
}

export async function flakyFlow(label: string) {
  "use workflow";
  let outcome = "";
  try {
    await alwaysFatal();
  } catch (error) {
    outcome = FatalError.is(error) ? "fatal caught" : "other";
  }
  const n = await retriedOnce(label);
  const webhook = createWebhook();
  const request = await webhook;
  const body = (await request.json()) as { ok: boolean };
  return { outcome, n, ok: body.ok, method: request.method, random: Math.random() < 1 };
}

/** A parent that started a child, got its value, and waits on a hook (recorded with child_started/child_ended). */
export async function parentFlow(label: string) {
  "use workflow";
  const child = await start(childFlow, [label]);
  const value = await child.returnValue;
  const next = await createHook<string>({ token: `history:parent:${label}` });
  return { value, next, childRunId: child.runId.startsWith("wrun_") };
}

export async function childFlow(label: string) {
  "use workflow";
  return `${await reserve(label, 1).then((r) => r.orderId)}!`;
}

async function reserve(orderId: string, qty: number) {
  "use step";
  return { orderId, qty };
}
async function price(_orderId: string) {
  "use step";
  return 100;
}
async function taxFor(country: string) {
  "use step";
  return country === "DE" ? 19 : 0;
}
async function alwaysFatal() {
  "use step";
  throw new FatalError("no");
}
let attempts = 0;
async function retriedOnce(label: string) {
  "use step";
  attempts += 1;
  if (attempts === 1) throw new RetryableError(`${label} later`, { retryAfter: 10 });
  return attempts;
}

/** Step functions passed as values (one closing over `factor`) and an instance-method step, then a hook. */
export async function valuesFlow(factor: number) {
  "use workflow";
  const scale = async (x: number) => {
    "use step";
    return x * factor;
  };
  const scaled = await applyTo(scale, 2);
  const summed = await new Tally([1, 2]).sum(scaled);
  const next = await createHook<number>({ token: `history:values:${factor}` });
  return { scaled, summed, doubled: await applyTo(twice, next) };
}

async function applyTo(fn: (n: number) => Promise<number>, n: number) {
  "use step";
  return fn(n);
}
async function twice(n: number) {
  "use step";
  return n * 2;
}

export class Tally {
  constructor(readonly counts: number[]) {}
  static [WORKFLOW_SERIALIZE](tally: Tally) {
    return { counts: tally.counts };
  }
  static [WORKFLOW_DESERIALIZE](data: { counts: number[] }) {
    return new Tally(data.counts);
  }
  async sum(extra: number) {
    "use step";
    return this.counts.reduce((a, b) => a + b, extra);
  }
}
registerSerializableClass("history.Tally", Tally);
