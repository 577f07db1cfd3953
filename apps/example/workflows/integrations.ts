import { createHook, createWebhook, getWorkflowMetadata, HookTimeoutError, type RequestWithResponse } from "hookline";

/**
 * Integrations with outside partners, one workflow per way of being called back. Each hands
 * what the partner needs (a URL, a token) to the simulated partner at /api/integrations/partner.
 */

/**
 * Shipment tracking through the app's own endpoint: the carrier posts to
 * /api/integrations/inbox?token=…, which forwards with resumeWebhook; a step answers each update.
 */
export async function trackShipment(shipmentId: string) {
  "use workflow";
  const updates = createWebhook({ respondWith: "manual", timeout: "10m" });
  await handOut(shipmentId, { inboxToken: updates.token });
  const history: string[] = [];
  for await (const request of updates) {
    const status = await recordTracking(request, shipmentId, history.length + 1);
    history.push(status);
    if (status === "delivered") break;
  }
  return { shipmentId, history };
}

async function recordTracking(request: RequestWithResponse, shipmentId: string, update: number): Promise<string> {
  "use step";
  const { status } = (await request.json()) as { status: string };
  await request.respondWith(
    Response.json({ shipmentId, status, update }, { status: 201, headers: { "x-recorded-by": "trackShipment" } }),
  );
  return status;
}

/**
 * A callback URL handed to a partner: the JSON body it posts is the data the run receives. A
 * step acknowledges it with a receipt; a retried delivery (same webhook-id) gets that receipt again.
 */
export async function partnerSignup(signupId: string) {
  "use workflow";
  const callback = createWebhook({ respondWith: "manual", timeout: "10m" });
  await handOut(signupId, { callbackUrl: callback.url });
  const request = await callback;
  const data = await request.json();
  const receipt = await acknowledge(request);
  return { signupId, data, receipt };
}

async function acknowledge(request: RequestWithResponse): Promise<string> {
  "use step";
  const receipt = `rcpt_${crypto.randomUUID().slice(0, 8)}`;
  await request.respondWith(Response.json({ accepted: request.headers.get("webhook-id"), receipt }));
  return receipt;
}

export interface RenderResult {
  videoUrl: string;
  seconds: number;
}

/**
 * A job done elsewhere that reports success with a result or failure with a message, through
 * /api/integrations/jobs/<id> (resumeHook or rejectHook on `render:<id>`).
 */
export async function renderVideo(jobId: string) {
  "use workflow";
  const finished = createHook<RenderResult>({ token: `render:${jobId}`, timeout: "10m" });
  await handOutReportUrl(jobId);
  try {
    const result = await finished;
    return { jobId, status: "succeeded" as const, result };
  } catch (error) {
    if (HookTimeoutError.is(error)) return { jobId, status: "timed out" as const };
    return { jobId, status: "failed" as const, error: String((error as { message?: unknown }).message ?? error) };
  }
}

async function handOutReportUrl(jobId: string) {
  "use step";
  const origin = getWorkflowMetadata().url;
  await tellPartner(origin, { id: jobId, reportUrl: `${origin}/api/integrations/jobs/${jobId}` });
}

export interface ReviewMetadata {
  kind: "refund-review";
  ticketId: string;
  customer: { name: string; tier: "gold" | "standard" };
  amountCents: number;
  reasons: string[];
}

export interface Resolution {
  resolution: "refund" | "decline";
  agent: string;
}

/**
 * A refund waiting for a support agent. Nobody outside needs its token: the support tool finds
 * the wait with listHooks by its metadata (/api/integrations/reviews) and resumes it there.
 */
export async function refundReview(ticketId: string, customer: ReviewMetadata["customer"], amountCents: number) {
  "use workflow";
  const metadata: ReviewMetadata = {
    kind: "refund-review",
    ticketId,
    customer,
    amountCents,
    reasons: ["damaged", "late"],
  };
  const review = createHook<Resolution>({ metadata, timeout: "1h" });
  // The support tool logs every token it is shown; the tests check listHooks never shows it.
  await handOut(ticketId, { hookToken: review.token });
  const decision = await review;
  return { ticketId, ...decision };
}

/** Waits for a partner's callback for at most `timeout`; cancelling the run ends the wait at once. */
export async function partnerCallback(callbackId: string, timeout: string) {
  "use workflow";
  const callback = createWebhook({ timeout });
  await handOut(callbackId, { callbackUrl: callback.url });
  try {
    await callback;
    return { callbackId, result: "called back" as const };
  } catch (error) {
    if (!HookTimeoutError.is(error)) throw error;
    await noteTimeout(callbackId);
    return { callbackId, result: "timed out" as const };
  }
}

async function noteTimeout(callbackId: string) {
  "use step";
  console.log(`[example] partner callback ${callbackId} timed out`);
}

/** Gives the partner what it needs to call back, by id. */
async function handOut(id: string, fields: Record<string, string>) {
  "use step";
  await tellPartner(getWorkflowMetadata().url, { id, ...fields });
}

async function tellPartner(origin: string, handout: Record<string, string>) {
  const response = await fetch(`${origin}/api/integrations/partner`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(handout),
  });
  if (!response.ok) throw new Error(`The partner answered ${response.status}`);
}
