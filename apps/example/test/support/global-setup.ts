/** Names this `vitest run`, so the test files can share one production build (see production-build.ts). */
import { randomUUID } from "node:crypto";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    exampleTestRun: string;
  }
}

export default function setup(project: TestProject): void {
  project.provide("exampleTestRun", randomUUID());
}
