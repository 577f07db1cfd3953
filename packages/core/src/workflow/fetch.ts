/**
 * `fetch` from "hookline" in workflow code: a step (host/fetch-step.ts runs it), so the
 * request is made once, retried on failure, and its Response replayed from the log. The
 * global `fetch` stays unavailable in workflow code, pointing here or at a step.
 */
import { FETCH_STEP_ID } from "../shared/fetch-step-id.js";
import { stepProxy } from "./internal.js";

const call = stepProxy(FETCH_STEP_ID);

export function fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  return call(input, init) as Promise<Response>;
}
