/**
 * Runs worth inspecting: what the inspector tests drive (test/inspector.test.ts). One run
 * retries a step, returns text that looks like HTML, writes a large value, then waits on a hook
 * and a webhook; another fails with a stack; a third sleeps for an hour (to be woken from the
 * inspector); a fourth sleeps, then ships a parcel (the test plants a different recorded call
 * there, so its replay diverges).
 */
import { createHook, createWebhook, FatalError, getStepMetadata, RetryableError, sleep } from "hookline";

export async function inspectorDemo(label: string) {
  "use workflow";
  const attempts = await flaky();
  const html = await echoHtml(label);
  const big = await bigValue();
  const hook = createHook<{ approved: boolean }>({
    token: `inspector:${label}`,
    metadata: { label, purpose: "approval" },
    timeout: "1h",
  });
  const webhook = createWebhook({ timeout: "2h" });
  const decision = await hook;
  return { attempts, html, bigLength: big.length, decision, webhook: typeof webhook.url };
}

async function flaky() {
  "use step";
  const { attempt } = getStepMetadata();
  if (attempt < 3) throw new RetryableError(`flaky attempt ${attempt} failed`, { retryAfter: 50 });
  return attempt;
}

async function echoHtml(label: string) {
  "use step";
  return `<script>window.__pwned = true</script><b>${label}</b>`;
}

async function bigValue() {
  "use step";
  return "x".repeat(10_000);
}

export async function inspectorFails(orderId: string) {
  "use workflow";
  await chargeCard(orderId);
}

async function chargeCard(orderId: string) {
  "use step";
  throw new FatalError(`card declined for ${orderId}`);
}

export async function inspectorNaps(label: string) {
  "use workflow";
  await sleep("1h");
  return `awake: ${label}`;
}

export async function inspectorShips(orderId: string) {
  "use workflow";
  await sleep("1h");
  return await shipParcel(orderId, { carrier: "dhl", express: true });
}

async function shipParcel(orderId: string, options: { carrier: string; express: boolean }) {
  "use step";
  return `${orderId} shipped with ${options.carrier}${options.express ? " express" : ""}`;
}
