/**
 * `hookline inspect --web`: the inspector's pages on a local port, over the world the app uses,
 * without the app running. Open like `next dev` (it listens on 127.0.0.1 unless --host says
 * otherwise), or behind the login when HOOKLINE_INSPECTOR_TOKEN is set. Its buttons act through
 * a runtime that drives nothing itself: the app's processes run what they resume.
 */
import { randomBytes } from "node:crypto";
import { secretsFromEnv } from "@hookline/core/runtime";
import type { World } from "@hookline/core/world";
import { accessFromEnv, serveInspector } from "@hookline/next/server";
import { cliRuntime } from "./cli-runtime.js";

export interface WebOptions {
  host?: string;
  port?: string;
}

/** Serves until SIGINT or SIGTERM; resolves with the exit code. */
export async function inspectWeb(
  world: World,
  options: WebOptions,
  invalid: (message: string) => Error,
): Promise<number> {
  const port = options.port === undefined ? 4000 : Number(options.port);
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535)
    throw invalid(`--port must be a port number (0–65535, 0 = any free port), got ${options.port}.`);
  const runtime = await cliRuntime(world);
  const token = accessFromEnv({ HOOKLINE_INSPECTOR_TOKEN: process.env.HOOKLINE_INSPECTOR_TOKEN });
  // Signs the login's session cookie: the deployment secret, or one of this process's own.
  const secrets =
    secretsFromEnv() ?? (world.loadSecret ? [await world.loadSecret()] : [randomBytes(32).toString("hex")]);
  const server = await serveInspector({
    runtime: async () => runtime,
    secrets: async () => secrets,
    access: token.kind === "token" ? token : { kind: "open" },
    host: options.host,
    port,
  });
  console.log(
    `Hookline inspector on ${server.url} (${world.name} world${token.kind === "token" ? ", login with HOOKLINE_INSPECTOR_TOKEN" : ""}). Ctrl-C stops it.`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  await runtime.close();
  return 0;
}
