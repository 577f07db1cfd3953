/** Starts the SDK's instance-method example (workflows/compat-classes.ts) for test/compat.test.ts. */
import { start } from "hookline/api";
import { instanceMethodStepWorkflow } from "@/workflows/compat-classes";

export async function POST(request: Request) {
  const { args = [] } = (await request.json()) as { args?: [number] };
  const run = await start(instanceMethodStepWorkflow, [args[0] ?? 0]);
  return Response.json({ runId: run.runId });
}
