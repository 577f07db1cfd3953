/**
 * The deterministic globals of a workflow context: a seeded Math.random and crypto, a Date
 * that reads the log's clock, and timers/fetch that fail with a pointer to the durable
 * alternative. internal.ts installs them when the bundle starts, before any user module runs
 * (the bundle's entry imports the runtime first).
 */
import { ContextError } from "../shared/errors.js";
import { type HostBridge, REAL_DATE } from "./kernel.js";

export function installDeterministicGlobals(global: Record<string | symbol, unknown>, bridge: HostBridge): void {
  const seed = bridge.seed;

  // sfc32 seeded through cyrb128: small, fast, and good enough for workflow code's randomness.
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  let a = h1 >>> 0;
  let b = h2 >>> 0;
  let c = h3 >>> 0;
  let d = h4 >>> 0;
  const next = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  const math = global.Math as { random: () => number };
  math.random = next;

  const fail = (what: string, instead: string) =>
    function unavailable(): never {
      throw new ContextError(`${what} is not available in workflow code: ${instead}`, "HOOKLINE_SANDBOX");
    };

  const crypto = {
    getRandomValues<T extends ArrayBufferView>(array: T): T {
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
      return array;
    },
    randomUUID(): string {
      const bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      bytes[6] = (bytes[6]! & 0x0f) | 0x40;
      bytes[8] = (bytes[8]! & 0x3f) | 0x80;
      const hex = Array.from(bytes, (x) => x.toString(16).padStart(2, "0")).join("");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
    get subtle(): never {
      return fail("crypto.subtle", 'call it inside a "use step" function.')();
    },
  };
  global.crypto = crypto;

  // The host's Date, kept aside once: a context reused for another run (replay checks) installs again.
  const RealDate = ((global[REAL_DATE] as DateConstructor | undefined) ?? global.Date) as DateConstructor;
  global[REAL_DATE] = RealDate;
  const now = () => bridge.now;
  function WorkflowDate(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new RealDate(now()).toString();
    return args.length === 0
      ? new RealDate(now())
      : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
  }
  WorkflowDate.prototype = RealDate.prototype;
  WorkflowDate.now = now;
  WorkflowDate.parse = RealDate.parse;
  WorkflowDate.UTC = RealDate.UTC;
  Object.defineProperty(RealDate.prototype, "constructor", { value: WorkflowDate, writable: true, configurable: true });
  global.Date = WorkflowDate;

  global.setTimeout = fail("setTimeout", 'use `await sleep("10s")` from "hookline" for a durable delay.');
  global.setInterval = fail("setInterval", 'use a loop with `await sleep(...)` from "hookline".');
  global.setImmediate = fail("setImmediate", "await a promise instead.");
  global.fetch = fail("fetch", 'call it inside a "use step" function; steps run with full Node.js.');
  global.require = fail("require", 'import the module, or use it inside a "use step" function.');
  global.queueMicrotask = (callback: () => void) => {
    Promise.resolve().then(callback);
  };
  global.globalThis = global;
  global.self = global;
}
