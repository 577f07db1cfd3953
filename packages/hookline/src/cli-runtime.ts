/**
 * The CLI's runtime over the world the app uses, for actions (cancel, wake, the web inspector's
 * buttons): it consumes no queue (the app's own processes drive the runs) and issues no webhook
 * token, so a shared world without HOOKLINE_SECRET still works.
 */
import { randomBytes } from "node:crypto";
import { Runtime, secretsFromEnv } from "@hookline/core/runtime";
import type { World } from "@hookline/core/world";

export function cliRuntime(world: World): Promise<Runtime> {
  const secret = secretsFromEnv() ?? (world.loadSecret ? undefined : randomBytes(32).toString("hex"));
  return Runtime.create({ world: keepOpen(world), worker: false, secret });
}

/** A runtime over the CLI's world for one operation. */
export async function withRuntime<T>(world: World, use: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await cliRuntime(world);
  try {
    return await use(runtime);
  } finally {
    await runtime.close();
  }
}

/** The runtime closes its world; the CLI closes it itself, after reading the outcome. */
function keepOpen(world: World): World {
  return new Proxy(world, {
    get(target, key) {
      if (key === "close") return async () => {};
      if (key === "start") return async () => {};
      const member = Reflect.get(target, key, target);
      return typeof member === "function" ? member.bind(target) : member;
    },
  });
}
