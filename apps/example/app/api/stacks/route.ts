/** Starts one of the stack-trace workflows (workflows/stacks.ts) for test/support/stacks.ts. */
import { start } from "hookline/api";
import { expiredCard, rejectedOrder, unrecordableReceipt } from "@/workflows/stacks";

const workflows = { expiredCard, rejectedOrder, unrecordableReceipt };

export async function POST(request: Request) {
  const { workflow, orderId } = (await request.json()) as { workflow: string; orderId: string };
  if (!Object.hasOwn(workflows, workflow))
    return Response.json({ error: `unknown workflow ${workflow}` }, { status: 400 });
  const run = await start(workflows[workflow as keyof typeof workflows], [orderId]);
  return Response.json({ runId: run.runId });
}
