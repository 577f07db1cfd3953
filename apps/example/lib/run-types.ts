/** The JSON the run routes answer with (see lib/runs.ts), shared with the client components. */
export type { RunView, StepView, WaitView } from "./runs";
