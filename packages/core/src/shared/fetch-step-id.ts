/** The step id of `fetch` from "hookline" (see host/fetch-step.ts and workflow/fetch.ts). */
export const FETCH_STEP_ID = "step//hookline//fetch";
