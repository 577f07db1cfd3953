/**
 * The replay sandbox: one `node:vm` context per run, holding the workflow bundle. The
 * bundle is compiled once; each context gets the host bridge, then the bundle, whose runtime
 * installs the deterministic globals before any workflow module runs.
 */
import vm from "node:vm";
import { WorkflowNotRegisteredError } from "../shared/errors.js";
import { HOST_KEY, type HostBridge, REAL_DATE, SANDBOX_KEY, type SandboxEntry } from "../workflow/kernel.js";
import type { Serialized } from "../world/events.js";
import { BundleStackMap } from "./bundle-stack.js";
import type { WorkflowBundleSource } from "./registry.js";

/** Host values workflow code may use: pure, deterministic web APIs. */
const SHARED_GLOBALS = {
  URL,
  URLSearchParams,
  TextEncoder,
  TextDecoder,
  Headers,
  atob,
  btoa,
  structuredClone,
};

export interface Sandbox {
  entry: SandboxEntry;
  context: vm.Context;
}

export class WorkflowBundle {
  readonly source: WorkflowBundleSource;
  /** The SHA-256 of its code (see world/bundles.ts). */
  readonly id: string;
  readonly #script: vm.Script;
  readonly #filename: string;
  #ids: Set<string> | null = null;
  #map: BundleStackMap | null | undefined;

  constructor(source: WorkflowBundleSource, id: string) {
    this.source = source;
    this.id = id;
    this.#filename = source.filename ?? "hookline-workflows.js";
    this.#script = new vm.Script(source.code, { filename: this.#filename });
  }

  /**
   * A context for one run, fresh unless `reuse` is given. `console` prints only while `isLive()`
   * (not while replaying). A reused context (replay checks, one run at a time) gets the bundle run
   * again: its modules start afresh (the bundle is one function scope), and its global object is
   * put back as it was before any bundle ran in it (see resetGlobal).
   */
  createSandbox(bridge: HostBridge, isLive: () => boolean, reuse?: vm.Context): Sandbox {
    const quiet =
      (level: "log" | "info" | "warn" | "error" | "debug") =>
      (...args: unknown[]) => {
        if (isLive()) console[level](...args);
      };
    const console_ = {
      log: quiet("log"),
      info: quiet("info"),
      warn: quiet("warn"),
      error: quiet("error"),
      debug: quiet("debug"),
    };
    const context = reuse ?? vm.createContext({ ...SHARED_GLOBALS, console: console_ });
    const global = reuse ? resetGlobal(reuse) : globalOf(context);
    if (reuse) global.console = console_;
    global[HOST_KEY] = bridge;
    shareDisposeSymbols(global);
    this.#script.runInContext(context);
    const entry = global[SANDBOX_KEY] as SandboxEntry | undefined;
    if (!entry) {
      throw new WorkflowNotRegisteredError(
        "The workflow bundle registered no workflows: it was not built by Hookline's bundler, or it failed to load.",
      );
    }
    return { entry, context };
  }

  /** `stack` as the user's source has it (see BundleStackMap). */
  remapStack(stack: string): string {
    return this.#stackMap()?.remap(stack) ?? stack;
  }

  #stackMap(): BundleStackMap | null {
    if (this.#map === undefined) {
      const match =
        /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(
          this.source.code,
        );
      this.#map = match
        ? new BundleStackMap(JSON.parse(Buffer.from(match[1]!, "base64").toString("utf8")), this.#filename)
        : null;
    }
    return this.#map;
  }

  /** The workflow ids this bundle defines. */
  workflowIds(): Set<string> {
    if (!this.#ids) {
      const bridge: HostBridge = {
        seed: "ids",
        now: 0,
        metadata: { runId: "", workflowId: "", workflowName: "", startedAt: 0, url: "" },
        request: () => undefined,
        patched: () => false,
        complete: () => {},
        fail: () => {},
      };
      this.#ids = new Set(this.createSandbox(bridge, () => false).entry.workflowIds());
    }
    return this.#ids;
  }
}

type Global = Record<string | symbol, unknown>;
/** A context's own global object, and the names it had before any bundle ran in it. */
const globals = new WeakMap<vm.Context, { global: Global; before: Set<string | symbol> }>();

/**
 * Symbol-keyed globals are reached through the context's own global object: the outer
 * contextified object does not reflect them. Looked up once per context (a script per lookup).
 */
function globalOf(context: vm.Context): Global {
  const known = globals.get(context);
  if (known) return known.global;
  const global = vm.runInContext("globalThis", context) as Global;
  globals.set(context, { global, before: new Set(Reflect.ownKeys(global)) });
  return global;
}

/**
 * Takes from a reused context's global object what an earlier run added to it, as a fresh
 * context would not have it: a workflow's own globals, and the bundle's registry of serializable
 * classes, which kept every earlier run's classes (and through them its module scope) alive.
 * What the bundle's runtime replaces (Date, timers, crypto) it installs again on every run, from
 * the host's Date it kept aside (REAL_DATE).
 */
function resetGlobal(context: vm.Context): Global {
  const global = globalOf(context);
  const { before } = globals.get(context)!;
  for (const key of Reflect.ownKeys(global))
    if (!before.has(key) && key !== REAL_DATE) Reflect.deleteProperty(global, key);
  return global;
}

/**
 * Node 20 defines Symbol.dispose and Symbol.asyncDispose on the main realm's Symbol only, so a
 * vm context has neither: `using hook = createHook()` then failed with "Object not disposable"
 * (the bundle's `using` helper and the Hook class disagreed on the key). The context gets the
 * host's symbols, so both realms, and values crossing between them, agree.
 */
function shareDisposeSymbols(global: Global): void {
  const Sandboxed = (global as unknown as { Symbol: SymbolConstructor }).Symbol;
  for (const name of ["dispose", "asyncDispose"] as const) {
    if (Sandboxed[name] !== undefined) continue;
    const symbol = (Symbol as unknown as Record<string, symbol | undefined>)[name] ?? Symbol.for(`Symbol.${name}`);
    Object.defineProperty(Sandboxed, name, { value: symbol, writable: false, enumerable: false, configurable: false });
  }
}

/** A recorded error (and its causes) with stack frames pointing at the original source. */
export function remapRecordedStacks(error: Serialized, bundle: WorkflowBundle | null): Serialized {
  const remap = (node: unknown): unknown => {
    if (typeof node !== "object" || node === null) return node;
    const tagged = node as { $t?: string; stack?: unknown; cause?: unknown };
    if (tagged.$t !== "Error") return node;
    return {
      ...tagged,
      ...(typeof tagged.stack === "string" && bundle ? { stack: bundle.remapStack(tagged.stack) } : {}),
      ...("cause" in tagged ? { cause: remap(tagged.cause) } : {}),
    };
  };
  return remap(error);
}
