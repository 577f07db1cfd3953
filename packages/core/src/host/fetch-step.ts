/**
 * `fetch` as a step (the Workflow SDK exports one from "workflow"): workflow code calls
 * `fetch(url, init)` from "hookline" and the request runs on the host as a step, retried like
 * any step, its Response recorded (status, headers, body) and replayed from the log. The
 * sandbox side is workflow/fetch.ts; both agree on FETCH_STEP_ID.
 */
import { FETCH_STEP_ID } from "../shared/fetch-step-id.js";
import { registerStepFn } from "./registry.js";

/** In a step or server code, `fetch` from "hookline" is the platform's fetch. */
export function fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  return globalThis.fetch(input, init);
}

registerStepFn(FETCH_STEP_ID, fetch as (...args: unknown[]) => Promise<unknown>, false);
