/**
 * The replay sandbox: one `node:vm` context per run, holding the workflow bundle. The
 * bundle is compiled once; each context gets the deterministic globals first, then the
 * bundle, then the host bridge.
 */
import vm from "node:vm";
import { WorkflowNotRegisteredError } from "../shared/errors.js";
import { installDeterministicGlobals } from "../workflow/globals.js";
import { HOST_KEY, type HostBridge, SANDBOX_KEY, type SandboxEntry } from "../workflow/kernel.js";
import type { WorkflowBundleSource } from "./registry.js";

const bootstrap = new vm.Script(`(${installDeterministicGlobals.toString()})`, { filename: "hookline-sandbox-globals.js" });

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
  readonly #script: vm.Script;
  #ids: Set<string> | null = null;

  constructor(source: WorkflowBundleSource) {
    this.source = source;
    this.#script = new vm.Script(source.code, { filename: source.filename ?? "hookline-workflows.js" });
  }

  /** A fresh context for one run. `console` prints only while `isLive()` (not while replaying). */
  createSandbox(seed: string, bridge: HostBridge, isLive: () => boolean): Sandbox {
    const quiet = (level: "log" | "info" | "warn" | "error" | "debug") => (...args: unknown[]) => {
      if (isLive()) console[level](...args);
    };
    const context = vm.createContext({
      ...SHARED_GLOBALS,
      console: { log: quiet("log"), info: quiet("info"), warn: quiet("warn"), error: quiet("error"), debug: quiet("debug") },
    });
    const install = bootstrap.runInContext(context) as typeof installDeterministicGlobals;
    install(context as Record<string | symbol, unknown>, seed);
    (context as Record<symbol, unknown>)[HOST_KEY] = bridge;
    this.#script.runInContext(context);
    const entry = (context as Record<symbol, unknown>)[SANDBOX_KEY] as SandboxEntry | undefined;
    if (!entry) {
      throw new WorkflowNotRegisteredError(
        "The workflow bundle registered no workflows: it was not built by Hookline's bundler, or it failed to load.",
      );
    }
    return { entry, context };
  }

  /** The workflow ids this bundle defines. */
  workflowIds(): Set<string> {
    if (!this.#ids) {
      const bridge: HostBridge = {
        now: 0,
        metadata: { runId: "", workflowId: "", workflowName: "", startedAt: 0, url: "" },
        request: () => undefined,
        complete: () => {},
        fail: () => {},
      };
      this.#ids = new Set(this.createSandbox("ids", bridge, () => false).entry.workflowIds());
    }
    return this.#ids;
  }
}
