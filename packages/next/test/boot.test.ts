/** The start-of-server boot against a real local flow route: started, retried, or stopped on a configuration error. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { afterFirstRequest, type BootOptions, bootOnce } from "../src/boot.js";

const REASON = "HOOKLINE_WORLD is postgres but HOOKLINE_POSTGRES_URL is not set.";
const integration = { deploymentSecrets: async () => ["s".repeat(40)] };
let server: Server;
let answers: Array<[number, unknown]>;
let hits: number;

beforeEach(async () => {
  hits = 0;
  server = createServer((_request, response) => {
    const [status, body] = answers[Math.min(hits, answers.length - 1)]!;
    hits += 1;
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  vi.stubEnv("__NEXT_PRIVATE_ORIGIN", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  delete (globalThis as Record<symbol, unknown>)[Symbol.for("hookline.next.booted")];
});

afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await new Promise((resolve) => server.close(resolve));
});

/** Boots and waits until it has logged or exited. */
async function boot(
  options: BootOptions,
): Promise<{ logged: string[]; errors: string[]; exit: ReturnType<typeof vi.fn> }> {
  const logged: string[] = [];
  const errors: string[] = [];
  vi.spyOn(console, "error").mockImplementation((message: unknown) => void errors.push(String(message)));
  const exit = vi.fn();
  vi.spyOn(process, "exit").mockImplementation(exit as never);
  bootOnce(integration, { ...options, log: (message) => logged.push(message) });
  await vi.waitFor(() => expect(logged.length + errors.length).toBeGreaterThan(0), { timeout: 5_000 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { logged, errors, exit };
}

describe("the boot at server start", () => {
  it("starts the runtime, asking again after a failure that is not about configuration", async () => {
    answers = [
      [500, { error: "still compiling" }],
      [200, { workflows: ["a", "b"], steps: 3 }],
    ];
    const { logged, errors } = await boot({});
    expect(logged).toEqual(["[hookline] runtime started: 2 workflows, 3 steps"]);
    expect(errors).toEqual([]);
    expect(hits).toBe(2);
  });

  it("under next start, prints the reason of a configuration error and exits 1, asking once", async () => {
    answers = [[503, { error: REASON, code: "HOOKLINE_CONFIG" }]];
    const { errors, exit } = await boot({ exitOnConfigError: true });
    expect(errors[0]).toBe(`[hookline] cannot start: ${REASON}`);
    expect(exit).toHaveBeenCalledWith(1);
    expect(hits).toBe(1);
  });

  it("under next dev, prints the reason and keeps serving", async () => {
    answers = [[503, { error: REASON, code: "HOOKLINE_CONFIG" }]];
    const { errors, exit } = await boot({ exitOnConfigError: false });
    expect(errors).toEqual([`[hookline] cannot start: ${REASON}`]);
    expect(exit).not.toHaveBeenCalled();
    expect(hits).toBe(1);
  });
});

describe("afterFirstRequest (next dev starts the runtime after the developer's first request)", () => {
  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const settled = (promise: Promise<void>) => {
    const state = { done: false };
    void promise.then(() => (state.done = true));
    return state;
  };

  it("waits while only Hookline's own routes are called, and settles once the app's first request is answered", async () => {
    answers = [[200, {}]];
    const state = settled(afterFirstRequest(60_000));
    await fetch(`${url()}/.well-known/workflow/v1/flow`, { method: "POST" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(state.done).toBe(false);
    await fetch(`${url()}/dashboard`);
    await vi.waitFor(() => expect(state.done).toBe(true), { timeout: 2_000 });
  });

  it("settles after the quiet time when no request comes, but not while the first request is still being answered", async () => {
    const quiet = settled(afterFirstRequest(200));
    await vi.waitFor(() => expect(quiet.done).toBe(true), { timeout: 2_000 });

    let answer: () => void = () => {};
    server.removeAllListeners("request");
    server.on("request", (_request, response) => (answer = () => response.end("page")));
    const slow = settled(afterFirstRequest(200));
    const page = fetch(`${url()}/slow-page`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(slow.done).toBe(false);
    answer();
    await page;
    await vi.waitFor(() => expect(slow.done).toBe(true), { timeout: 2_000 });
  });

  it("is not quiet while the process is busy, as when Next compiles a request that came before it was called", async () => {
    const busy = settled(afterFirstRequest(200));
    const until = Date.now() + 1_000;
    while (Date.now() < until) {
      const slice = Date.now() + 80;
      while (Date.now() < slice) Math.sqrt(Math.random());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(busy.done).toBe(false);
    await vi.waitFor(() => expect(busy.done).toBe(true), { timeout: 2_000 });
  });
});
