/**
 * The process's runtime, created on first use from a factory the integration installs
 * (the `hookline` package picks the world from configuration). Kept on globalThis through
 * registries(), so every copy of this package in a server shares it.
 */
import { ConfigError } from "../shared/errors.js";
import { registries } from "./registry.js";
import { Runtime, type RuntimeOptions } from "./runtime.js";

type Factory = () => RuntimeOptions | Promise<RuntimeOptions>;
const FACTORY = Symbol.for("hookline.runtime-factory");
type Slot = { [FACTORY]?: Factory };

/** How the runtime is made when first needed. Replaces any runtime not yet created. */
export function setRuntimeFactory(factory: Factory): void {
  (registries() as Slot)[FACTORY] = factory;
}

export function getRuntime(): Promise<Runtime> {
  const r = registries();
  if (!r.runtime) {
    const factory = (r as Slot)[FACTORY];
    if (!factory) {
      return Promise.reject(
        new ConfigError(
          'Hookline has no runtime configured in this process. Import from "hookline/api" (which configures it), or call setRuntimeFactory().',
        ),
      );
    }
    const created = Promise.resolve()
      .then(factory)
      .then((options) => Runtime.create(options));
    // A failed start is reported to every caller, and retried by the next one.
    created.catch(() => {
      if (r.runtime === created) r.runtime = null;
    });
    r.runtime = created;
  }
  return r.runtime as Promise<Runtime>;
}

/** Installs an existing runtime (tests, custom servers). */
export function setRuntime(runtime: Runtime | null): void {
  registries().runtime = runtime ? Promise.resolve(runtime) : null;
}
