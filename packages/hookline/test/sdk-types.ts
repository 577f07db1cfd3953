/**
 * Type tests (checked by `pnpm --filter hookline typecheck`, strict): Workflow SDK code, as its
 * documentation writes it, type-checks against Hookline with only the imports changed. Each
 * `@ts-expect-error` is a misuse that must stay an error. Nothing here runs.
 */
import {
  createHook,
  createWebhook,
  defineHook,
  FatalError,
  getStepMetadata,
  getWorkflowMetadata,
  type Hook,
  type RequestWithResponse,
  RetryableError,
  registerSerializableClass,
  sleep,
  type Webhook,
  WORKFLOW_DESERIALIZE,
  WORKFLOW_SERIALIZE,
} from "hookline";
import {
  getHookByToken,
  getRun,
  type HookInfo,
  HookNotFoundError,
  type Run,
  RunCancelledError,
  registerSerializableClass as registerFromApi,
  resumeHook,
  resumeWebhook,
  start,
  WorkflowRunCancelledError,
  WorkflowRunFailedError,
  WorkflowRunNotFoundError,
} from "hookline/api";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

async function recordPayment(request: Request): Promise<{ type: string }> {
  "use step";
  return (await request.json()) as { type: string };
}

async function answer(request: RequestWithResponse): Promise<void> {
  "use step";
  await request.respondWith(new Response("ok"));
}

export async function sdkWorkflow(orderId: string): Promise<{ orderId: string; at: Date }> {
  "use workflow";
  // A static answer built with the global Response, as the SDK's docs do.
  const webhook = createWebhook({ respondWith: new Response("ok", { status: 201 }) });
  const url: string = webhook.url;
  void url;
  // A received request goes to a step whose parameter is typed Request.
  const request = await webhook;
  const event = await recordPayment(request);
  assertType<Equal<typeof webhook, Webhook<Request>>>();

  const manual = createWebhook({ respondWith: "manual" });
  for await (const received of manual) {
    await answer(received);
    break;
  }
  assertType<Equal<typeof manual, Webhook<RequestWithResponse>>>();

  const hook: Hook<{ approved: boolean }> = createHook<{ approved: boolean }>({
    token: `order:${orderId}`,
    metadata: { orderId },
  });
  const { approved } = await hook;
  hook.dispose();
  {
    using scoped = createHook<string>();
    void scoped.token;
  }
  if (!approved || event.type === "refused") throw new FatalError("refused");
  await sleep("1d");
  await sleep(1000);
  await sleep(new Date(0));
  // @ts-expect-error respondWith takes "manual" or a Response
  createWebhook({ respondWith: 201 });
  const meta = getWorkflowMetadata();
  return { orderId: meta.runId, at: new Date() };
}

export async function stepMetadata(): Promise<number> {
  "use step";
  const { stepStartedAt, attemptStartedAt, attempt, idempotencyKey } = getStepMetadata();
  if (attempt < 3) throw new RetryableError("later", { retryAfter: "10s" });
  void idempotencyKey;
  return attemptStartedAt.getTime() - stepStartedAt.getTime();
}

const approval = defineHook<{ ok: boolean }>();
export async function defined(): Promise<boolean> {
  "use workflow";
  return (await approval.create({ token: "t" })).ok;
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  static [WORKFLOW_SERIALIZE](p: Point) {
    return { x: p.x, y: p.y };
  }
  static [WORKFLOW_DESERIALIZE](d: { x: number; y: number }) {
    return new Point(d.x, d.y);
  }
}
registerSerializableClass("Point", Point);
registerFromApi("Point", Point);

export async function server(request: Request): Promise<Response> {
  const run: Run<{ orderId: string; at: Date }> = await start(sdkWorkflow, ["o-1"]);
  // @ts-expect-error the arguments are checked against the workflow's parameters
  await start(sdkWorkflow, [1]);
  const hook: HookInfo = await getHookByToken("order:o-1");
  const runId: string = hook.runId;
  const createdAt: Date = hook.createdAt;
  void createdAt;
  await resumeHook(hook.token, { approved: true });
  await resumeWebhook("token", request);
  try {
    const value = await getRun<{ orderId: string }>(runId).returnValue;
    return Response.json(value);
  } catch (error) {
    if (WorkflowRunFailedError.is(error)) {
      const cause: Error & { code?: string } = error.cause;
      const who: "USER_ERROR" | "RUNTIME_ERROR" = error.errorCode;
      return Response.json({ runId: error.runId, message: cause.message, code: cause.code, who }, { status: 500 });
    }
    if (WorkflowRunCancelledError.is(error) || RunCancelledError.is(error))
      return new Response(error.runId, { status: 409 });
    if (HookNotFoundError.is(error) || WorkflowRunNotFoundError.is(error)) return new Response(null, { status: 404 });
    return new Response(String(run.runId), { status: 500 });
  }
}
